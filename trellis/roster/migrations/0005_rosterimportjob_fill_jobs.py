"""Roster imports run as core background jobs (2 of 3): every existing import row gets a
core.Job that holds what the row said — status, progress, runner, error, and the report as the
job's result. Backward, the rows get their columns back from their job, and those jobs are
deleted.
"""

from django.db import migrations

KIND = "roster.import"
# What the upload page says of a failure it has no words for (trellis.roster.actions_import_jobs).
WENT_WRONG = (
    "something went wrong on our side; please try again, and tell your Trellis operator if it "
    "happens again"
)
TO_JOB = {"queued": "queued", "running": "running", "done": "succeeded", "failed": "failed"}
FROM_JOB = {value: key for key, value in TO_JOB.items()}


def give_each_import_a_job(apps, schema_editor):
    RosterImportJob = apps.get_model("roster", "RosterImportJob")
    Job = apps.get_model("core", "Job")
    for row in list(RosterImportJob.objects.filter(job__isnull=True)):
        status = TO_JOB.get(row.status, "failed")
        report = row.report or {}
        if status == "succeeded":
            progress, message = 1.0, "Finished"
        elif status == "failed":
            progress, message = 0.0, "Failed"
        else:
            progress = min(1.0, row.done / row.total) if row.total else 0.0
            message = row.stage[:300]
        job = Job.objects.create(
            district_id=row.district_id,
            created_by_id=row.actor_id,
            kind=KIND,
            title=f"{'Check' if row.dry_run else 'Import'} of {row.file_name}"[:200],
            status=status,
            progress=progress,
            message=message,
            result=report if status == "succeeded" else {},
            error=(report.get("error") or WENT_WRONG) if status == "failed" else "",
            runner=row.runner,
            started_at=None if status == "queued" else row.created_at,
            finished_at=row.finished_at,
        )
        Job.objects.filter(pk=job.pk).update(created_at=row.created_at)
        RosterImportJob.objects.filter(pk=row.pk).update(job=job)


def take_the_columns_back(apps, schema_editor):
    RosterImportJob = apps.get_model("roster", "RosterImportJob")
    Job = apps.get_model("core", "Job")
    jobs = []
    for row in list(RosterImportJob.objects.filter(job__isnull=False).select_related("job")):
        job = row.job
        status = FROM_JOB.get(job.status, "failed")
        if status == "done":
            report = job.result
        elif status == "failed":
            report = {"error": "" if job.error == WENT_WRONG else job.error}
        else:
            report = {}
        RosterImportJob.objects.filter(pk=row.pk).update(
            status=status,
            stage={"done": "Done", "failed": ""}.get(status, job.message[:100]),
            done=round(job.progress * 100),
            total=100,
            report=report,
            runner=job.runner,
            finished_at=job.finished_at,
            job=None,
        )
        jobs.append(job.pk)
    Job.objects.filter(pk__in=jobs).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_job_runner"),
        ("roster", "0004_rosterimportjob_job"),
    ]

    operations = [
        migrations.RunPython(give_each_import_a_job, take_the_columns_back),
    ]
