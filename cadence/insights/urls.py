from django.urls import path

from cadence.insights.views import health, learners, readiness, teaching

app_name = "insights"

urlpatterns = [
    path("teaching/", teaching.teaching_home, name="teaching-home"),
    path("courses/<slug:slug>/health/", health.course_health, name="course-health"),
    path("courses/<slug:slug>/health/refresh/", health.course_health_refresh, name="course-health-refresh"),
    path("courses/<slug:slug>/learners/", learners.learners_table, name="learners-table"),
    path("courses/<slug:slug>/learners/export/", learners.learners_export, name="learners-export"),
    path("courses/<slug:slug>/learners/risk-settings/", learners.risk_settings, name="risk-settings"),
    path("courses/<slug:slug>/readiness/", readiness.readiness, name="readiness"),
    path("courses/<slug:slug>/readiness/check-in/", readiness.readiness_check_in, name="readiness-check-in"),
]
