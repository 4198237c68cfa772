from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "trellis.portal"
    label = "portal"
    verbose_name = "Trellis pages that bring the apps together"
