"""Demo content: the OATutor item bank and a few playlists, for the demo district.

:func:`seed_content` is called by the demo (``trellis/portal/demo.py``) after the district and
its Common Core framework exist. It imports the OATutor elementary-algebra pool through the
same action as ``trellis content import-oatutor`` (1,898 of the 2,032 problems; the 134 whose
question shows a missing figure are left out, see ``docs/item-bank.md``), aligned to standards
by the crosswalk, then builds one playlist for each of a few common grade 7, grade 8 and
Algebra standards: a practice set (which opens the practice page), a reading, a video, a
session with a teacher. Running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from trellis.accounts.models import District, Role, User
from trellis.content.actions import (
    ActivityFields,
    do_add_to_playlist,
    do_create_activity,
    do_create_playlist,
    do_import_oatutor,
)
from trellis.content.items import code_key, standards_by_code
from trellis.content.models import Activity, Playlist

# like seed_demo_district's: one line of text per stage
Progress = Callable[[str], object]

OPENSTAX = "https://openstax.org/details/books/elementary-algebra-2e"

# (code, playlist title, reading chapter, video course page)
DEMO_PLAYLISTS = [
    ("7.EE.B.4.a", "Solve two-step equations", "Chapter 2: Solving Linear Equations",
     "https://www.khanacademy.org/math/cc-seventh-grade-math"),
    ("8.EE.C.7.b", "Solve equations with fractions and variables on both sides",
     "Chapter 2: Solving Linear Equations", "https://www.khanacademy.org/math/cc-eighth-grade-math"),
    ("HS.A-SSE.A.2", "Factor expressions", "Chapter 7: Factoring",
     "https://www.khanacademy.org/math/algebra"),
    ("HS.A-REI.C.6", "Solve systems of linear equations", "Chapter 5: Systems of Linear Equations",
     "https://www.khanacademy.org/math/algebra"),
]


def _author(district: District) -> User | None:
    for role in (Role.DISTRICT_ADMIN, Role.TEACHER):
        user = User.objects.filter(district=district, role=role, is_active=True).order_by(
            "id").first()
        if user is not None:
            return user
    return None


def seed_content(district: District, progress: Progress | None = None) -> dict[str, int]:
    """Import the OATutor pool and create the demo playlists; returns counts."""
    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    say("Importing the OATutor item bank (2,032 problems)…")
    report = do_import_oatutor(district)
    if not report.ok:
        raise ValueError("OATutor import failed:\n" + "\n".join(str(i) for i in report.issues))
    author = _author(district)
    playlists = 0
    if author is not None:
        index = standards_by_code(district)
        for code, title, chapter, video in DEMO_PLAYLISTS:
            matches = index.get(code_key(code))
            if not matches:
                continue
            standard = matches[0]
            if Playlist.objects.filter(district=district, standard=standard, title=title).exists():
                continue
            playlist = do_create_playlist(
                author, standard, title,
                f"Read, watch, then practise until the problems feel easy ({standard.code}).")
            activities = [
                ActivityFields(f"Read: {chapter}", Activity.Kind.READING, 25, OPENSTAX,
                               "OpenStax Elementary Algebra 2e, free online (CC BY 4.0)."),
                ActivityFields(f"Watch: {title}", Activity.Kind.VIDEO, 10, video,
                               "Short videos with worked examples."),
                ActivityFields(f"Practice: {title}", Activity.Kind.PRACTICE, 20, "",
                               "Self-checking problems with hints."),
                ActivityFields(f"Check in with your teacher: {title}",
                               Activity.Kind.TEACHER_SESSION, 15, "",
                               "Bring one problem you found hard."),
            ]
            for values in activities:
                activity = do_create_activity(author, values, standards=[standard])
                do_add_to_playlist(author, playlist, activity)
            playlists += 1
    say(f"  {report.summary()}; {playlists} demo playlists")
    return {"items": report.total, "excluded": report.excluded, "playlists": playlists,
            "alignments": report.alignments}
