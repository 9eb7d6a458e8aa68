from django.urls import path

from cadence.insights.views import health, learners, teaching

app_name = "insights"

urlpatterns = [
    path("teaching/", teaching.teaching_home, name="teaching-home"),
    path("courses/<slug:slug>/health/", health.course_health, name="course-health"),
    path("courses/<slug:slug>/health/refresh/", health.course_health_refresh, name="course-health-refresh"),
    path("courses/<slug:slug>/learners/", learners.learners_table, name="learners-table"),
    path("courses/<slug:slug>/learners/export/", learners.learners_export, name="learners-export"),
    path("courses/<slug:slug>/learners/risk-settings/", learners.risk_settings, name="risk-settings"),
]
