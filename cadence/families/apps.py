from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "cadence.families"
    label = "families"
    verbose_name = "Families (observers following learners)"

    def ready(self) -> None:
        from cadence.families import pages  # page builders use the models, so only once apps are ready

        pages.register_item_panels()
