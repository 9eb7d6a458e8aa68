from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "cadence.courses"
    label = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from cadence.courses import versioning

        versioning.connect()
