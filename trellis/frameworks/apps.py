from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "trellis.frameworks"
    # The label the app had before it was split out of the old curriculum app: existing
    # databases keep their tables (curriculum_framework, ...) and migration history.
    label = "curriculum"
    verbose_name = "Competency frameworks and the skill map"
