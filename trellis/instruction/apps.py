from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "trellis.instruction"
    label = "instruction"
    verbose_name = "Small groups and schedules"
