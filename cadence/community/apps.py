from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "cadence.community"
    label = "community"
    verbose_name = "Community"
