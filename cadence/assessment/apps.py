from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "cadence.assessment"
    label = "assessment"
    verbose_name = "Assessment"

    def ready(self) -> None:
        from cadence.assessment import assignment_pages, quiz_pages

        quiz_pages.register_item_types()
        assignment_pages.register_item_types()
