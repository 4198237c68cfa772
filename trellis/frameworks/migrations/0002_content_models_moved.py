# Item, Activity, Playlist and PlaylistEntry now belong to the content app (content/0001 took
# them over, keeping their tables); every foreign key to them points at content.* (diagnostics
# 0002, learning 0002, plans 0003). State only: the tables stay, nothing is dropped.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('curriculum', '0001_initial'),
        ('content', '0001_initial'),
        ('diagnostics', '0002_item_in_content'),
        ('learning', '0002_item_in_content'),
        ('plans', '0003_activity_in_content'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='PlaylistEntry'),
                migrations.DeleteModel(name='Playlist'),
                migrations.DeleteModel(name='Activity'),
                migrations.DeleteModel(name='Item'),
            ],
        ),
    ]
