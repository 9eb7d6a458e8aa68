from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "cadence.families"
    label = "families"
    verbose_name = "Families (observers following learners)"
