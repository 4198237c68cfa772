# Item moved from the curriculum app (trellis.frameworks) to the content app. State only: the
# table is still curriculum_item, so the foreign keys in the database do not change.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0001_initial'),
        ('diagnostics', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='diagnosticresponse',
                    name='item',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='content.item'),
                ),
                migrations.AlterField(
                    model_name='itemcalibration',
                    name='item',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calibration', to='content.item'),
                ),
            ],
        ),
    ]
