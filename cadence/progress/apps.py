from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "cadence.progress"
    label = "progress"
    verbose_name = "Progress"
