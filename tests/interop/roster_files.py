# ruff: noqa: E501 - CSV fixtures keep their real, long header lines
"""A small, valid OneRoster 1.2 exchange written by hand, and helpers to vary and zip it."""

from __future__ import annotations

import io
import zipfile

MODIFIED = "2025-08-15T14:03:00.000Z"

MANIFEST_ROWS = {
    "manifest.version": "1.0",
    "oneroster.version": "1.2",
    "file.academicSessions": "bulk",
    "file.categories": "absent",
    "file.classes": "bulk",
    "file.courses": "bulk",
    "file.demographics": "bulk",
    "file.enrollments": "bulk",
    "file.orgs": "bulk",
    "file.roles": "bulk",
    "file.users": "bulk",
    "source.systemName": "Test SIS",
    "source.systemCode": "tsis",
}

ORGS = f"""sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
d1,active,{MODIFIED},Birch Unified (test),district,BU,
s1,active,{MODIFIED},"Birch High, North",school,BH,d1
s2,active,{MODIFIED},Birch Middle,school,BM,d1
"""

SESSIONS = f"""sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear
y1,active,{MODIFIED},2025-2026,schoolYear,2025-08-15,2026-06-12,,2026
t1,active,{MODIFIED},Fall,semester,2025-08-15,2025-12-19,y1,2026
t2,active,{MODIFIED},Spring,semester,2026-01-05,2026-06-12,y1,2026
"""

COURSES = f"""sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes
c1,active,{MODIFIED},y1,Algebra I,ALG1,"09,10",d1,Mathematics,
c2,active,{MODIFIED},y1,Grade 7 Math,M7,07,d1,Mathematics,
"""

CLASSES = f"""sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods
k1,active,{MODIFIED},Algebra I (1),09,c1,ALG1-1,scheduled,Room 101,s1,"t1,t2",Mathematics,,"1,2"
k2,active,{MODIFIED},Grade 7 Math (1),07,c2,M7-1,scheduled,Room 5,s2,t1,,,
"""

USERS = f"""sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns
u1,active,{MODIFIED},true,student1,"{{SIS:001}},{{LDAP:s1}}",Amara,Okafor,,001,student1@test.example,,,g1,09,,,,,,,s1,she/her
u2,active,{MODIFIED},true,student2,,Haruto,Sato,,002,,,,,07,,,,,,,s2,
t1u,active,{MODIFIED},true,teacher1,,Lucía,Fuentes,,,teacher1@test.example,,,,,,,,,,,s1,
g1,active,{MODIFIED},true,guardian1,,Chidi,Okafor,,,,,,u1,,,,,,,,,
"""

ROLES = f"""sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId
r1,active,{MODIFIED},u1,primary,student,2025-08-15,2026-06-12,s1,
r2,active,{MODIFIED},u2,primary,student,,,s2,
r3,active,{MODIFIED},t1u,primary,teacher,,,s1,
r4,active,{MODIFIED},g1,primary,parent,,,s1,
"""

ENROLLMENTS = f"""sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
e1,active,{MODIFIED},k1,s1,u1,student,,,
e2,active,{MODIFIED},k2,s2,u2,student,,2025-08-15,2026-06-12
e3,active,{MODIFIED},k1,s1,t1u,teacher,true,,
"""

DEMOGRAPHICS = f"""sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus
u1,active,{MODIFIED},2010-04-02,female,false,false,true,false,false,false,false,US,,,
"""

FILES = {
    "orgs.csv": ORGS,
    "academicSessions.csv": SESSIONS,
    "courses.csv": COURSES,
    "classes.csv": CLASSES,
    "users.csv": USERS,
    "roles.csv": ROLES,
    "enrollments.csv": ENROLLMENTS,
    "demographics.csv": DEMOGRAPHICS,
}


def manifest_text(**changes: str | None) -> str:
    """manifest.csv with some properties changed (``None`` removes one); ``file_users``
    stands for ``file.users``."""
    rows = dict(MANIFEST_ROWS)
    for key, value in changes.items():
        name = key.replace("_", ".", 1) if key.startswith(("file_", "oneroster_")) else key
        if value is None:
            rows.pop(name, None)
        else:
            rows[name] = value
    return "propertyName,value\n" + "".join(f"{k},{v}\n" for k, v in rows.items())


def exchange(**files: str | bytes | None) -> dict[str, str | bytes]:
    """The valid exchange with some files replaced (``users_csv=...``) or removed (``None``)."""
    result: dict[str, str | bytes] = {"manifest.csv": manifest_text(), **FILES}
    for key, text in files.items():
        name = key.replace("_csv", ".csv")
        if text is None:
            result.pop(name, None)
        else:
            result[name] = text
    return result


def zip_bytes(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            # A fixed timestamp keeps the bytes, and so the fuzzing, reproducible.
            info = zipfile.ZipInfo(name, date_time=(2025, 8, 15, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8") if isinstance(text, str) else text)
    return buffer.getvalue()


def replace_line(text: str, number: int, line: str) -> str:
    """``text`` with its line ``number`` (1 = header) replaced."""
    lines = text.splitlines()
    lines[number - 1] = line
    return "\n".join(lines) + "\n"


def edit_cell(text: str, number: int, column: str, value: str) -> str:
    """``text`` with one cell (line ``number``, header ``column``) set to ``value`` (raw CSV)."""
    import csv

    rows = list(csv.reader(io.StringIO(text)))
    position = rows[0].index(column)
    rows[number - 1][position] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)  # quotes a lone \r too
    return out.getvalue()
