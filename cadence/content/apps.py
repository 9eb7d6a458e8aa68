from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "cadence.content"
    label = "content"
    verbose_name = "Content"

    def ready(self) -> None:
        from cadence.content import pages

        pages.register_item_types()
