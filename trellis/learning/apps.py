from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "trellis.learning"
    label = "learning"
    verbose_name = "Evidence and mastery"
