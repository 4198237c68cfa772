# Items, activities and playlists moved here from the curriculum app (trellis.frameworks).
# State only: their tables stay what curriculum/0001 created (curriculum_item, ...), named by
# Meta.db_table and the many-to-many fields' db_table; no SQL runs.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('curriculum', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Item',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('identifier', models.CharField(max_length=200)),
                        ('source', models.CharField(help_text='oatutor, qti, ...', max_length=30)),
                        ('title', models.CharField(blank=True, max_length=300)),
                        ('content', models.JSONField()),
                        ('license', models.CharField(blank=True, max_length=200)),
                        ('attribution', models.CharField(blank=True, max_length=500)),
                        ('imported_at', models.DateTimeField(auto_now=True)),
                        ('district', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='accounts.district')),
                        ('alignments', models.ManyToManyField(blank=True, db_table='curriculum_item_alignments', related_name='items', to='curriculum.standard')),
                    ],
                    options={
                        'db_table': 'curriculum_item',
                        'ordering': ['identifier'],
                        'constraints': [models.UniqueConstraint(fields=('district', 'identifier'), name='item_identifier')],
                    },
                ),
                migrations.CreateModel(
                    name='Activity',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('kind', models.CharField(choices=[('lesson', 'Lesson'), ('video', 'Video'), ('reading', 'Reading'), ('practice', 'Practice set'), ('project', 'Project'), ('teacher_session', 'Session with a teacher'), ('online_session', 'Online session')], max_length=30)),
                        ('description', models.TextField(blank=True)),
                        ('url', models.URLField(blank=True)),
                        ('minutes', models.PositiveIntegerField(default=20)),
                        ('tags', models.JSONField(blank=True, default=list)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('district', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='activities', to='accounts.district')),
                        ('items', models.ManyToManyField(blank=True, db_table='curriculum_activity_items', help_text='For a practice set: the items it draws from.', related_name='activities', to='content.item')),
                        ('standards', models.ManyToManyField(blank=True, db_table='curriculum_activity_standards', related_name='activities', to='curriculum.standard')),
                    ],
                    options={
                        'db_table': 'curriculum_activity',
                        'verbose_name_plural': 'activities',
                        'ordering': ['title'],
                    },
                ),
                migrations.CreateModel(
                    name='Playlist',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('description', models.TextField(blank=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('district', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='playlists', to='accounts.district')),
                        ('standard', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='playlists', to='curriculum.standard')),
                    ],
                    options={
                        'db_table': 'curriculum_playlist',
                        'ordering': ['title'],
                    },
                ),
                migrations.CreateModel(
                    name='PlaylistEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveIntegerField()),
                        ('activity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='content.activity')),
                        ('playlist', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='content.playlist')),
                    ],
                    options={
                        'db_table': 'curriculum_playlistentry',
                        'ordering': ['position'],
                        'constraints': [models.UniqueConstraint(fields=('playlist', 'activity'), name='playlist_activity')],
                    },
                ),
            ],
        ),
    ]
