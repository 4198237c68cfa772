from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "trellis.roster"
    label = "roster"
    verbose_name = "Courses, classes and enrollments"
