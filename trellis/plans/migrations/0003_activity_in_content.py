# Activity moved from the curriculum app (trellis.frameworks) to the content app. State only:
# the table is still curriculum_activity, so the foreign key in the database does not change.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0001_initial'),
        ('plans', '0002_alter_reflection_feeling'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='stepchoice',
                    name='activity',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='content.activity'),
                ),
            ],
        ),
    ]
