from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "cadence.assessment"
    label = "assessment"
    verbose_name = "Assessment"

    def ready(self) -> None:
        from cadence.assessment import pages  # page builders use the models, so only once apps are ready

        pages.register_item_types()
