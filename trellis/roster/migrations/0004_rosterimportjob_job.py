"""Roster imports run as core background jobs (1 of 3): each RosterImportJob gets a link to a
core.Job, empty for now (0005 fills it, 0006 drops the columns the job now holds). Three
migrations, not one: on PostgreSQL, rows written by a data migration keep deferred foreign-key
checks pending until their transaction commits, and a table with pending checks cannot be
altered in the same transaction.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_job_runner"),
        ("roster", "0003_job_runner"),
    ]

    operations = [
        migrations.AddField(
            model_name="rosterimportjob",
            name="job",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="roster_import",
                to="core.job",
                help_text="The background job that reads (and, unless a dry run, applies) "
                "the file.",
            ),
        ),
    ]
