# Item moved from the curriculum app (trellis.frameworks) to the content app. State only: the
# table is still curriculum_item, so the foreign key in the database does not change.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0001_initial'),
        ('learning', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='evidenceevent',
                    name='item',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='content.item'),
                ),
            ],
        ),
    ]
