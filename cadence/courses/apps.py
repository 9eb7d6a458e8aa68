from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "cadence.courses"
    label = "courses"
    verbose_name = "Courses"
