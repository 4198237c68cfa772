from django.contrib import admin

from trellis.core.admin import TenantAdmin
from trellis.roster.models import AcademicSession, Class, Course, Enrollment, LearnerGroup


@admin.register(AcademicSession)
class AcademicSessionAdmin(TenantAdmin):
    list_display = ["title", "type", "start_date", "end_date", "school_year"]


@admin.register(Course)
class CourseAdmin(TenantAdmin):
    list_display = ["title", "course_code", "school"]
    search_fields = ["title", "sourced_id"]


@admin.register(Class)
class ClassAdmin(TenantAdmin):
    list_display = ["title", "school", "course"]
    list_filter = ["school"]
    search_fields = ["title", "sourced_id"]


@admin.register(Enrollment)
class EnrollmentAdmin(TenantAdmin):
    list_display = ["user", "klass", "role", "primary"]
    list_filter = ["role"]
    raw_id_fields = ["user", "klass"]


@admin.register(LearnerGroup)
class LearnerGroupAdmin(TenantAdmin):
    list_display = ["name", "klass"]
    filter_horizontal = ["members"]
