"""URL routes. Every route must have an entry in the role × endpoint × tenant matrix test
(``tests/access_matrix/``); a route without one fails the suite."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from trellis.accounts import views as accounts_views
from trellis.accounts import views_lockout as lockout_views
from trellis.api import api
from trellis.portal import views as portal_views
from trellis.portal import views_accessibility as accessibility_views
from trellis.portal import views_audit as audit_views
from trellis.portal import views_former as former_views
from trellis.roster import views as roster_views
from trellis.roster import views_import as roster_import_views

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", portal_views.healthz, name="healthz"),
    path("accessibility/", accessibility_views.accessibility, name="accessibility"),
    path("accounts/login/", accounts_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts_views.password_change, name="password-change"),
    path(
        "accounts/password/done/",
        accounts_views.password_change_done,
        name="password-change-done",
    ),
    path("accounts/locked/", lockout_views.locked_accounts, name="locked-accounts"),
    path(
        "accounts/locked/<int:person_id>/unlock/",
        lockout_views.unlock_account,
        name="locked-account-unlock",
    ),
    path("schools/<int:school_id>/", roster_views.school_detail, name="school-detail"),
    path("students/<int:student_id>/", roster_views.student_profile, name="student-profile"),
    path("staff/<int:staff_id>/", roster_views.staff_profile, name="staff-profile"),
    path("classes/<int:class_id>/", roster_views.class_roster, name="class-roster"),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("roster/import/", roster_import_views.import_page, name="roster-import"),
    path(
        "roster/import/<int:job_id>/", roster_import_views.import_job, name="roster-import-job"
    ),
    path(
        "roster/import/<int:job_id>/progress/",
        roster_import_views.import_progress,
        name="roster-import-progress",
    ),
    path(
        "roster/import/<int:job_id>/apply/",
        roster_import_views.import_apply,
        name="roster-import-apply",
    ),
    path("roster/export/", roster_import_views.export_download, name="roster-export"),
    path("roster/former/", former_views.former_people, name="roster-former-people"),
    path(
        "roster/former/<int:person_id>/",
        former_views.former_person,
        name="roster-former-person",
    ),
    path("jobs/<int:job_id>/", portal_views.job_status, name="job-status"),
    path("", include("trellis.content.urls")),  # playlists/ and practice/items/import/
    path("", include("trellis.learning.urls_practice")),  # practice/
    path("frameworks/", include("trellis.frameworks.urls")),  # list, import, export
    path("frameworks/", include("trellis.learning.urls_skill_map")),  # the map, by mastery
    path("learning/", include("trellis.learning.urls")),  # mastery pages, learner model
    path("", include("trellis.instruction.urls")),  # today/, schedule/, school-setup/
    path("", include("trellis.plans.urls")),  # plan/ and teach/
    path("diagnostic/", include("trellis.diagnostics.urls")),  # adaptive check
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "trellis.portal.views.error_400"
handler403 = "trellis.portal.views.error_403"
handler404 = "trellis.portal.views.error_404"
handler500 = "trellis.portal.views.error_500"

admin.site.site_header = "Trellis administration"
admin.site.site_title = "Trellis admin"
