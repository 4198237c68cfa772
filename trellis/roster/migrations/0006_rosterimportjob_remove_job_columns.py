"""Roster imports run as core background jobs (3 of 3): the columns the job now holds (status,
stage, done, total, report, runner, finished_at) go, and every import row has its job."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("roster", "0005_rosterimportjob_fill_jobs"),
    ]

    operations = [
        migrations.RemoveField(model_name="rosterimportjob", name="status"),
        migrations.RemoveField(model_name="rosterimportjob", name="stage"),
        migrations.RemoveField(model_name="rosterimportjob", name="done"),
        migrations.RemoveField(model_name="rosterimportjob", name="total"),
        migrations.RemoveField(model_name="rosterimportjob", name="report"),
        migrations.RemoveField(model_name="rosterimportjob", name="runner"),
        migrations.RemoveField(model_name="rosterimportjob", name="finished_at"),
        migrations.AlterField(
            model_name="rosterimportjob",
            name="job",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="roster_import",
                to="core.job",
                help_text="The background job that reads (and, unless a dry run, applies) "
                "the file.",
            ),
        ),
    ]
