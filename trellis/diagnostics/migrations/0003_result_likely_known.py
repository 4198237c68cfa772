# The check-up's "at least 0.5" set is called "likely known", not "mastered" (only the
# district's mastery rule decides mastery): stored results get the new key. Data only.

from typing import Any

from django.db import migrations

CHUNK = 500


def _rename(apps: Any, old: str, new: str) -> None:
    session_model = apps.get_model("diagnostics", "DiagnosticSession")
    changed = []
    for session in session_model.objects.filter(result__has_key=old).iterator(chunk_size=CHUNK):
        result = dict(session.result)
        result[new] = result.pop(old)
        session.result = result
        changed.append(session)
        if len(changed) >= CHUNK:
            session_model.objects.bulk_update(changed, ["result"])
            changed = []
    if changed:
        session_model.objects.bulk_update(changed, ["result"])


def forwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, "mastered", "likely_known")


def backwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, "likely_known", "mastered")


class Migration(migrations.Migration):

    dependencies = [
        ("diagnostics", "0002_item_in_content"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
