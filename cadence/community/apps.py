from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "cadence.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from cadence.community import pages

        pages.register_item_types()
