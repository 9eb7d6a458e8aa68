from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "cadence.progress"
    label = "progress"
    verbose_name = "Progress"

    def ready(self) -> None:
        from cadence.progress import pages  # page builders use the models, so only once apps are ready

        pages.register_item_panels()
