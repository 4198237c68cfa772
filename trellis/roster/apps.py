from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "trellis.roster"
    label = "roster"
    verbose_name = "Rosters: classes, courses, terms and enrolments"

    def ready(self) -> None:
        # The person-level permission rules (accounts, below us) ask the roster who is
        # enrolled where; see trellis.accounts.permissions.EnrolmentRules.
        from trellis.accounts.permissions import register_enrolment_rules
        from trellis.roster.permissions import EnrolmentRules

        register_enrolment_rules(EnrolmentRules())
