from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "trellis.plans"
    label = "plans"
    verbose_name = "Learning plans"

    def ready(self) -> None:
        # The district's mastery rule is stored with the plan settings but read by learning,
        # below us; learning asks through trellis.learning.rules.
        from trellis.learning.rules import register_stored_rule
        from trellis.plans.adapters import stored_mastery_rule

        register_stored_rule(stored_mastery_rule)
