"""A seeded generator of fictional school districts, as OneRoster 1.2 data.

The demo district and the rostering benchmark both come from here, so the demo is loaded
through the same importer a real district uses. The same arguments always give the same
district, byte for byte: all randomness flows from one ``random.Random(seed)`` consumed in a
fixed order, and per-person choices are drawn up front into compact arrays, so the record
streams (users, roles, enrollments, ...) can be re-walked independently without holding a
million enrollments in memory (:func:`write_district_zip` streams straight into the zip).

What a district holds (``generate_district(students=400, teachers=20, schools=2)``):

* one district org, "Maple Valley Unified (demo)", and ``schools`` schools cycling middle
  (grades 06-08), high (09-12), elementary (KG-05), elementary;
* a school year with two semesters; district-wide courses per grade and subject — the math
  sequence (Grade 6 Math, Grade 7 Math, Grade 8 Math, Algebra I, Geometry, Algebra II,
  Precalculus; Kindergarten Math to Grade 5 Math in elementary), a homeroom, and ten other
  subjects (English, Science, a Math Lab, ...);
* classes: per school, grade and subject, one section per ~``class_size`` students, each with
  one teacher (``role=teacher``, ``primary=true``); a school's teachers take contiguous runs of
  its classes, so a teacher mostly teaches one subject;
* students enrolled in 2-10 classes (always their math class, then homeroom, then electives),
  or exactly enough to reach ``enrollments`` in total when that is given;
* one or two guardians per student (``parent``, sometimes ``guardian``), linked both ways by
  ``agentSourcedIds``, with a role at the student's school;
* per school a ``principal`` and a ``siteAdministrator``; one ``districtAdministrator``;
* instructional coaches. OneRoster has no coach role, so a coach is a user whose *primary*
  role is ``teacher`` at the **district** org (teachers are at schools) with *secondary*
  ``teacher`` roles at the schools they support, username ``coach<n>``. Importers can tell
  coaches apart by "teacher role at an org of type district".
* optional demographics (``demographics=True``) for students, plainly random.

Usernames are simple and deterministic (``student1``, ``teacher1``, ``guardian1``,
``principal1``, ``siteadmin1``, ``coach1``, ``districtadmin``); sourcedIds are short readable
strings (``stu-000001``, ``cls-001-06-math-1``, ...). Names come from :mod:`.names`; e-mail
addresses use the reserved ``.example`` domain.
"""

from __future__ import annotations

import bisect
import io
import math
import random
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .bundle import (
    BUNDLE_ATTRIBUTES,
    AcademicSession,
    ClassType,
    Course,
    Demographics,
    Enrollment,
    EnrollmentRole,
    FileMode,
    Manifest,
    Org,
    OrgType,
    RecordKind,
    Role,
    RoleName,
    RoleType,
    RosterBundle,
    RosterClass,
    SessionType,
    Sex,
    Status,
    User,
)
from .names import FAMILY_NAMES, GIVEN_NAMES, PRONOUNS, SCHOOL_PLACES
from .writer import Target, write_roster_zip

DISTRICT_ID = "org-district"
ELECTIVE_START = 2  # subjects 0 (math) and 1 (homeroom) come first for every student


@dataclass(frozen=True, slots=True)
class Subject:
    slug: str
    name: str
    class_type: ClassType = ClassType.SCHEDULED


SUBJECTS = (
    Subject("math", "Mathematics"),
    Subject("home", "Homeroom", ClassType.HOMEROOM),
    Subject("ela", "English Language Arts"),
    Subject("sci", "Science"),
    Subject("soc", "Social Studies"),
    Subject("pe", "Physical Education"),
    Subject("art", "Art"),
    Subject("mus", "Music"),
    Subject("cs", "Computer Science"),
    Subject("lang", "World Languages"),
    Subject("hlth", "Health"),
    Subject("mlab", "Math Lab"),
)

MATH_TITLES = {
    "KG": "Kindergarten Math",
    **{f"{g:02d}": f"Grade {g} Math" for g in range(1, 9)},
    "09": "Algebra I",
    "10": "Geometry",
    "11": "Algebra II",
    "12": "Precalculus",
}

SCHOOL_KINDS = (
    ("Middle School", ("06", "07", "08")),
    ("High School", ("09", "10", "11", "12")),
    ("Elementary School", ("KG", "01", "02", "03", "04", "05")),
    ("Elementary School", ("KG", "01", "02", "03", "04", "05")),
)


def course_id(grade: str, subject: Subject) -> str:
    return f"crs-{grade}-{subject.slug}"


def course_title(grade: str, subject: Subject) -> str:
    if subject.slug == "math":
        return MATH_TITLES[grade]
    label = "K" if grade == "KG" else str(int(grade))
    return f"{subject.name} {label}"


@dataclass(frozen=True, slots=True)
class DistrictSpec:
    """The arguments of a generated district (see the module docstring)."""

    students: int = 400
    teachers: int = 20
    schools: int = 2
    seed: int = 0
    enrollments: int | None = None  # exact total (students + teachers) when given
    coaches: int | None = None  # default: one per four schools, at least one
    class_size: int = 30
    demographics: bool = False
    school_year: int = 2026  # the year the school year ends (2026 = 2025-26)
    district_name: str = "Maple Valley Unified (demo)"
    domain: str = "maplevalley.example"

    def __post_init__(self) -> None:
        if self.schools < 1 or self.students < 1:
            raise ValueError("a district needs at least one school and one student")
        if self.teachers < self.schools:
            raise ValueError("a district needs at least one teacher per school")
        if self.class_size < 1:
            raise ValueError("class_size must be positive")


@dataclass(slots=True)
class _GradeBlock:
    grade: str
    start: int  # first student index
    count: int
    sections: int


@dataclass(slots=True)
class _School:
    index: int
    sourced_id: str
    name: str
    grades: tuple[str, ...]
    student_start: int
    student_count: int
    teacher_start: int
    teacher_count: int
    blocks: list[_GradeBlock] = field(default_factory=list)
    class_count: int = 0


def _split(total: int, parts: int) -> list[int]:
    """Start offsets of ``parts`` near-equal contiguous blocks of ``total`` (plus the end)."""
    return [part * total // parts for part in range(parts + 1)]


class _District:
    """The layout of a district and every per-person random choice, in compact arrays."""

    def __init__(self, spec: DistrictSpec) -> None:
        self.spec = spec
        year = spec.school_year
        self.modified = f"{year - 1}-08-01T12:00:00.000Z"
        self.year_id = f"ses-{year}"
        self.term_ids = (f"ses-{year}-s1", f"ses-{year}-s2")
        student_starts = _split(spec.students, spec.schools)
        teacher_starts = _split(spec.teachers, spec.schools)
        self.student_starts = student_starts[:-1]
        self.schools: list[_School] = []
        for index in range(spec.schools):
            kind, grades = SCHOOL_KINDS[index % len(SCHOOL_KINDS)]
            place = SCHOOL_PLACES[index % len(SCHOOL_PLACES)]
            cycle = index // len(SCHOOL_PLACES)
            name = f"{place} {kind}" + (f" {cycle + 1}" if cycle else "")
            school = _School(
                index=index,
                sourced_id=f"sch-{index + 1:03d}",
                name=name,
                grades=grades,
                student_start=student_starts[index],
                student_count=student_starts[index + 1] - student_starts[index],
                teacher_start=teacher_starts[index],
                teacher_count=teacher_starts[index + 1] - teacher_starts[index],
            )
            offsets = _split(school.student_count, len(grades))
            for position, grade in enumerate(grades):
                count = offsets[position + 1] - offsets[position]
                sections = max(1, math.ceil(count / spec.class_size))
                school.blocks.append(
                    _GradeBlock(grade, school.student_start + offsets[position], count, sections)
                )
            school.class_count = len(SUBJECTS) * sum(b.sections for b in school.blocks)
            self.schools.append(school)
        self.class_count = sum(school.class_count for school in self.schools)
        self.grades = sorted(
            {grade for school in self.schools for grade in school.grades},
            key=lambda g: list(MATH_TITLES).index(g),
        )
        self.coach_count = spec.coaches if spec.coaches is not None else max(1, spec.schools // 4)

        rng = random.Random(spec.seed)  # noqa: S311 - reproducible fiction, not secrets
        n_given, n_family = len(GIVEN_NAMES), len(FAMILY_NAMES)
        # Students: names, pronouns, which subjects, how many guardians.
        self.student_given = array("H", (rng.randrange(n_given) for _ in range(spec.students)))
        self.student_family = array("H", (rng.randrange(n_family) for _ in range(spec.students)))
        self.student_pronouns = array(
            "B", (rng.randrange(len(PRONOUNS)) for _ in range(spec.students))
        )
        self.subject_masks = array("H", self._subject_masks(rng))
        self.guardian_counts = array("B", (1 + (rng.random() < 0.6) for _ in range(spec.students)))
        self.guardian_starts = array("I", [0])
        for count in self.guardian_counts:
            self.guardian_starts.append(self.guardian_starts[-1] + count)
        guardians = self.guardian_starts[-1]
        self.guardian_given = array("H", (rng.randrange(n_given) for _ in range(guardians)))
        # Most guardians share the student's family name; some do not.
        self.guardian_family = array(
            "i", (-1 if rng.random() < 0.8 else rng.randrange(n_family) for _ in range(guardians))
        )
        self.guardian_is_parent = array("B", (rng.random() < 0.9 for _ in range(guardians)))
        staff = spec.teachers + 2 * spec.schools + self.coach_count + 1
        self.staff_given = array("H", (rng.randrange(n_given) for _ in range(staff)))
        self.staff_family = array("H", (rng.randrange(n_family) for _ in range(staff)))
        self.demographics_seed = rng.randrange(2**32)

    def _subject_masks(self, rng: random.Random) -> Iterator[int]:
        spec = self.spec
        electives = list(range(ELECTIVE_START, len(SUBJECTS)))
        if spec.enrollments is None:
            counts: Iterator[int] = (rng.randint(2, 10) for _ in range(spec.students))
        else:
            wanted = spec.enrollments - self.class_count  # one teacher per class
            base, extra = divmod(wanted, spec.students)
            if wanted < spec.students or base + (extra > 0) > len(SUBJECTS):
                raise ValueError(
                    f"{spec.enrollments} enrollments cannot be reached with {self.class_count} "
                    f"classes and {spec.students} students (1-{len(SUBJECTS)} classes each)"
                )
            counts = (base + (index < extra) for index in range(spec.students))
        for count in counts:
            chosen = [0, 1][:count] + rng.sample(electives, max(0, count - ELECTIVE_START))
            yield sum(1 << subject for subject in chosen)

    # -- lookups -------------------------------------------------------------------------------

    def school_of(self, student: int) -> _School:
        return self.schools[bisect.bisect_right(self.student_starts, student) - 1]

    @staticmethod
    def block_of(school: _School, student: int) -> _GradeBlock:
        for block in school.blocks:
            if student < block.start + block.count:
                return block
        raise AssertionError("student outside its school")

    @staticmethod
    def class_id(school: _School, grade: str, subject: Subject, section: int) -> str:
        return f"cls-{school.index + 1:03d}-{grade}-{subject.slug}-{section + 1}"

    def teacher_of(self, school: _School, ordinal: int) -> int:
        return school.teacher_start + ordinal * school.teacher_count // school.class_count

    def name(self, given: int, family: int) -> tuple[str, str]:
        return GIVEN_NAMES[given], FAMILY_NAMES[family]

    # -- record streams ------------------------------------------------------------------------

    def orgs(self) -> Iterator[Org]:
        spec = self.spec
        yield Org(
            DISTRICT_ID,
            Status.ACTIVE,
            self.modified,
            spec.district_name,
            OrgType.DISTRICT,
            "MVU-DEMO",
            "",
        )
        for school in self.schools:
            yield Org(
                school.sourced_id,
                Status.ACTIVE,
                self.modified,
                school.name,
                OrgType.SCHOOL,
                f"MVU-{school.index + 1:03d}",
                DISTRICT_ID,
            )

    def academic_sessions(self) -> Iterator[AcademicSession]:
        year = self.spec.school_year
        yield AcademicSession(
            self.year_id,
            Status.ACTIVE,
            self.modified,
            f"{year - 1}-{year}",
            SessionType.SCHOOL_YEAR,
            f"{year - 1}-08-15",
            f"{year}-06-12",
            "",
            str(year),
        )
        yield AcademicSession(
            self.term_ids[0],
            Status.ACTIVE,
            self.modified,
            f"Fall {year - 1}",
            SessionType.SEMESTER,
            f"{year - 1}-08-15",
            f"{year - 1}-12-19",
            self.year_id,
            str(year),
        )
        yield AcademicSession(
            self.term_ids[1],
            Status.ACTIVE,
            self.modified,
            f"Spring {year}",
            SessionType.SEMESTER,
            f"{year}-01-05",
            f"{year}-06-12",
            self.year_id,
            str(year),
        )

    def courses(self) -> Iterator[Course]:
        for grade in self.grades:
            for subject in SUBJECTS:
                yield Course(
                    course_id(grade, subject),
                    Status.ACTIVE,
                    self.modified,
                    self.year_id,
                    course_title(grade, subject),
                    f"{subject.slug.upper()}-{grade}",
                    (grade,),
                    DISTRICT_ID,
                    (subject.name,),
                    (),
                )

    def _classes_of(self, school: _School) -> Iterator[tuple[int, str, str, Subject, int]]:
        """``(ordinal, class id, grade, subject, section)``, subject-major."""
        ordinal = 0
        for subject in SUBJECTS:
            for block in school.blocks:
                for section in range(block.sections):
                    yield (
                        ordinal,
                        self.class_id(school, block.grade, subject, section),
                        block.grade,
                        subject,
                        section,
                    )
                    ordinal += 1

    def classes(self) -> Iterator[RosterClass]:
        for school in self.schools:
            for ordinal, class_id, grade, subject, section in self._classes_of(school):
                period = str(SUBJECTS.index(subject) % 8 + 1)
                yield RosterClass(
                    class_id,
                    Status.ACTIVE,
                    self.modified,
                    f"{course_title(grade, subject)} ({section + 1})",
                    (grade,),
                    course_id(grade, subject),
                    f"{subject.slug.upper()}-{grade}-{section + 1}",
                    subject.class_type,
                    f"Room {100 + ordinal % 60}",
                    school.sourced_id,
                    self.term_ids,
                    (subject.name,),
                    (),
                    (period,),
                )

    def _staff(self, offset: int, sourced_id: str, username: str, org: str) -> User:
        given, family = self.name(self.staff_given[offset], self.staff_family[offset])
        return User(
            sourced_id,
            Status.ACTIVE,
            self.modified,
            True,
            username,
            (("SIS", sourced_id),),
            given,
            family,
            "",
            sourced_id,
            f"{username}@{self.spec.domain}",
            primary_org_sourced_id=org,
        )

    def _staff_people(self) -> Iterator[tuple[int, str, str, str, RoleName, str]]:
        """``(name offset, sourcedId, username, primary org, role, prefix)`` of every adult
        who is not a guardian."""
        offset = 0
        yield (
            offset,
            "adm-district",
            "districtadmin",
            DISTRICT_ID,
            RoleName.DISTRICT_ADMINISTRATOR,
            "adm",
        )
        offset += 1
        for school in self.schools:
            n = school.index + 1
            yield (
                offset,
                f"prn-{n:03d}",
                f"principal{n}",
                school.sourced_id,
                RoleName.PRINCIPAL,
                "prn",
            )
            yield (
                offset + 1,
                f"sad-{n:03d}",
                f"siteadmin{n}",
                school.sourced_id,
                RoleName.SITE_ADMINISTRATOR,
                "sad",
            )
            offset += 2
        for coach in range(self.coach_count):
            yield (
                offset,
                f"cch-{coach + 1:03d}",
                f"coach{coach + 1}",
                DISTRICT_ID,
                RoleName.TEACHER,
                "cch",
            )
            offset += 1
        for school in self.schools:
            for teacher in range(school.teacher_start, school.teacher_start + school.teacher_count):
                yield (
                    offset,
                    self.teacher_id(teacher),
                    f"teacher{teacher + 1}",
                    school.sourced_id,
                    RoleName.TEACHER,
                    "tch",
                )
                offset += 1

    @staticmethod
    def teacher_id(teacher: int) -> str:
        return f"tch-{teacher + 1:05d}"

    @staticmethod
    def student_id(student: int) -> str:
        return f"stu-{student + 1:06d}"

    @staticmethod
    def guardian_id(guardian: int) -> str:
        return f"grd-{guardian + 1:06d}"

    def guardians_of(self, student: int) -> range:
        return range(self.guardian_starts[student], self.guardian_starts[student + 1])

    def users(self) -> Iterator[User]:
        for offset, sourced_id, username, org, _role, _prefix in self._staff_people():
            yield self._staff(offset, sourced_id, username, org)
        domain = self.spec.domain
        for student in range(self.spec.students):
            school = self.school_of(student)
            grade = self.block_of(school, student).grade
            sourced_id = self.student_id(student)
            username = f"student{student + 1}"
            given, family = self.name(self.student_given[student], self.student_family[student])
            yield User(
                sourced_id,
                Status.ACTIVE,
                self.modified,
                True,
                username,
                (("SIS", f"{student + 1:06d}"),),
                given,
                family,
                "",
                f"{student + 1:06d}",
                f"{username}@{domain}",
                "",
                "",
                tuple(self.guardian_id(g) for g in self.guardians_of(student)),
                (grade,),
                primary_org_sourced_id=school.sourced_id,
                pronouns=PRONOUNS[self.student_pronouns[student]],
            )
        for student in range(self.spec.students):
            family_of_student = self.student_family[student]
            for guardian in self.guardians_of(student):
                own_family = self.guardian_family[guardian]  # -1: the student's family name
                given, family_name = self.name(
                    self.guardian_given[guardian],
                    family_of_student if own_family < 0 else own_family,
                )
                username = f"guardian{guardian + 1}"
                yield User(
                    self.guardian_id(guardian),
                    Status.ACTIVE,
                    self.modified,
                    True,
                    username,
                    (),
                    given,
                    family_name,
                    "",
                    "",
                    f"{username}@{domain}",
                    "",
                    "",
                    (self.student_id(student),),
                    primary_org_sourced_id=self.school_of(student).sourced_id,
                )

    def roles(self) -> Iterator[Role]:
        for _offset, sourced_id, _username, org, role, prefix in self._staff_people():
            yield Role(
                f"rol-{sourced_id}",
                Status.ACTIVE,
                self.modified,
                sourced_id,
                RoleType.PRIMARY,
                role,
                "",
                "",
                org,
            )
            if prefix == "cch":  # a coach supports every coach_count-th school
                coach = int(sourced_id[4:]) - 1
                for school in self.schools[coach :: self.coach_count]:
                    yield Role(
                        f"rol-{sourced_id}-{school.sourced_id}",
                        Status.ACTIVE,
                        self.modified,
                        sourced_id,
                        RoleType.SECONDARY,
                        RoleName.TEACHER,
                        "",
                        "",
                        school.sourced_id,
                    )
        for student in range(self.spec.students):
            school_id = self.school_of(student).sourced_id
            sourced_id = self.student_id(student)
            yield Role(
                f"rol-{sourced_id}",
                Status.ACTIVE,
                self.modified,
                sourced_id,
                RoleType.PRIMARY,
                RoleName.STUDENT,
                "",
                "",
                school_id,
            )
        for student in range(self.spec.students):
            school_id = self.school_of(student).sourced_id
            for guardian in self.guardians_of(student):
                sourced_id = self.guardian_id(guardian)
                role = RoleName.PARENT if self.guardian_is_parent[guardian] else RoleName.GUARDIAN
                yield Role(
                    f"rol-{sourced_id}",
                    Status.ACTIVE,
                    self.modified,
                    sourced_id,
                    RoleType.PRIMARY,
                    role,
                    "",
                    "",
                    school_id,
                )

    def enrollments(self) -> Iterator[Enrollment]:
        for school in self.schools:
            for ordinal, class_id, _grade, _subject, _section in self._classes_of(school):
                teacher = self.teacher_id(self.teacher_of(school, ordinal))
                yield Enrollment(
                    f"enr-{class_id}-t",
                    Status.ACTIVE,
                    self.modified,
                    class_id,
                    school.sourced_id,
                    teacher,
                    EnrollmentRole.TEACHER,
                    True,
                )
        for school in self.schools:
            for block in school.blocks:
                for student in range(block.start, block.start + block.count):
                    section = (student - block.start) * block.sections // block.count
                    mask = self.subject_masks[student]
                    sourced_id = self.student_id(student)
                    for number, subject in enumerate(SUBJECTS):
                        if mask >> number & 1:
                            class_id = self.class_id(school, block.grade, subject, section)
                            yield Enrollment(
                                f"enr-{sourced_id}-{number:02d}",
                                Status.ACTIVE,
                                self.modified,
                                class_id,
                                school.sourced_id,
                                sourced_id,
                                EnrollmentRole.STUDENT,
                            )

    # -- a delta on top of the district -------------------------------------------------------

    def delta_streams(self, fraction: float) -> dict[RecordKind, Iterator[Any]]:
        """Changes to this district touching about ``fraction`` of users and enrollments."""
        step = max(1, round(1 / fraction))
        later = f"{self.spec.school_year - 1}-09-15T08:30:00.000Z"
        return {
            RecordKind.USERS: self._changed_users(step, later),
            RecordKind.ENROLLMENTS: self._changed_enrollments(step, later),
        }

    def _changed_users(self, step: int, later: str) -> Iterator[User]:
        # Every step-th user gets a preferred (short) given name.
        for number, user in enumerate(self.users()):
            if number % step == 0:
                yield replace(
                    user, date_last_modified=later, preferred_given_name=user.given_name[:3]
                )

    def _changed_enrollments(self, step: int, later: str) -> Iterator[Enrollment]:
        # Every step-th student enrollment is dropped; every step-th student joins one more
        # class of their grade (the first subject they do not take yet).
        number = 0
        for enrollment in self.enrollments():
            if enrollment.role is not EnrollmentRole.STUDENT:
                continue
            if number % step == 0:
                yield replace(enrollment, status=Status.TOBEDELETED, date_last_modified=later)
            number += 1
        for school in self.schools:
            for block in school.blocks:
                for student in range(block.start, block.start + block.count):
                    mask = self.subject_masks[student]
                    missing = [n for n in range(len(SUBJECTS)) if not mask >> n & 1]
                    if student % step or not missing:
                        continue
                    section = (student - block.start) * block.sections // block.count
                    subject = SUBJECTS[missing[0]]
                    sourced_id = self.student_id(student)
                    yield Enrollment(
                        f"enr-{sourced_id}-{missing[0]:02d}",
                        Status.ACTIVE,
                        later,
                        self.class_id(school, block.grade, subject, section),
                        school.sourced_id,
                        sourced_id,
                        EnrollmentRole.STUDENT,
                    )

    def delta_manifest(self) -> Manifest:
        return Manifest(
            file_modes={"users": FileMode.DELTA, "enrollments": FileMode.DELTA},
            source_system_name="Trellis demo district generator",
            source_system_code="trellis-generator",
        )

    def demographics(self) -> Iterator[Demographics]:
        rng = random.Random(self.demographics_seed)  # noqa: S311 - reproducible fiction
        sexes = (Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.UNSPECIFIED, Sex.OTHER)
        for student in range(self.spec.students):
            grade = self.block_of(self.school_of(student), student).grade
            age = 5 + (0 if grade == "KG" else int(grade))
            born = (
                f"{self.spec.school_year - 1 - age}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}"
            )
            native, asian, black, islander, white = (
                rng.random() < share for share in (0.02, 0.08, 0.12, 0.01, 0.5)
            )
            yield Demographics(
                self.student_id(student),
                Status.ACTIVE,
                self.modified,
                born,
                sexes[rng.randrange(len(sexes))],
                native,
                asian,
                black,
                islander,
                white,
                native + asian + black + islander + white > 1,
                rng.random() < 0.3,
                "US",
                "",
                "",
                "",
            )

    def manifest(self) -> Manifest:
        return Manifest(
            file_modes={str(kind): FileMode.BULK for kind in self.kinds()},
            source_system_name="Trellis demo district generator",
            source_system_code="trellis-generator",
        )

    def kinds(self) -> tuple[RecordKind, ...]:
        kinds = tuple(kind for kind in RecordKind if kind is not RecordKind.DEMOGRAPHICS)
        return (*kinds, RecordKind.DEMOGRAPHICS) if self.spec.demographics else kinds

    def streams(self) -> dict[RecordKind, Iterator[Any]]:
        makers = {
            RecordKind.ORGS: self.orgs,
            RecordKind.ACADEMIC_SESSIONS: self.academic_sessions,
            RecordKind.COURSES: self.courses,
            RecordKind.CLASSES: self.classes,
            RecordKind.USERS: self.users,
            RecordKind.ROLES: self.roles,
            RecordKind.ENROLLMENTS: self.enrollments,
            RecordKind.DEMOGRAPHICS: self.demographics,
        }
        return {kind: makers[kind]() for kind in self.kinds()}


def generate_district(
    students: int = 400, teachers: int = 20, schools: int = 2, seed: int = 0, **options: Any
) -> RosterBundle:
    """A fictional district as a bundle (see :class:`DistrictSpec` for ``options``)."""
    district = _District(DistrictSpec(students, teachers, schools, seed, **options))
    records: Mapping[str, tuple[Any, ...]] = {
        BUNDLE_ATTRIBUTES[kind]: tuple(stream) for kind, stream in district.streams().items()
    }
    return RosterBundle(manifest=district.manifest(), **records)


def write_district_zip(
    target: Target,
    students: int = 400,
    teachers: int = 20,
    schools: int = 2,
    seed: int = 0,
    **options: Any,
) -> dict[str, int]:
    """Stream a fictional district straight into a OneRoster zip; returns records per file."""
    district = _District(DistrictSpec(students, teachers, schools, seed, **options))
    return write_roster_zip(target, district.manifest(), district.streams())


def district_zip_bytes(
    students: int = 400, teachers: int = 20, schools: int = 2, seed: int = 0, **options: Any
) -> bytes:
    buffer = io.BytesIO()
    write_district_zip(buffer, students, teachers, schools, seed, **options)
    return buffer.getvalue()


def generate_district_delta(
    fraction: float = 0.01,
    students: int = 400,
    teachers: int = 20,
    schools: int = 2,
    seed: int = 0,
    **options: Any,
) -> RosterBundle:
    """A delta bundle on top of the same district: about ``fraction`` of the users get a
    preferred given name, as many student enrollments are ``tobedeleted``, and every
    ``1/fraction``-th student joins one more class. It references records that only the
    district (already imported) holds, so validate it with ``known_ids``."""
    district = _District(DistrictSpec(students, teachers, schools, seed, **options))
    streams = district.delta_streams(fraction)
    return RosterBundle(
        manifest=district.delta_manifest(),
        users=tuple(streams[RecordKind.USERS]),
        enrollments=tuple(streams[RecordKind.ENROLLMENTS]),
    )


def write_district_delta_zip(
    target: Target,
    fraction: float = 0.01,
    students: int = 400,
    teachers: int = 20,
    schools: int = 2,
    seed: int = 0,
    **options: Any,
) -> dict[str, int]:
    """Stream :func:`generate_district_delta` into a OneRoster zip; returns records per file."""
    district = _District(DistrictSpec(students, teachers, schools, seed, **options))
    return write_roster_zip(target, district.delta_manifest(), district.delta_streams(fraction))
