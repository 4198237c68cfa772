from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "trellis.content"
    label = "content"
    verbose_name = "Items, activities and playlists"
