from django.urls import path

from cadence.insights.views import checkins, health, learners, readiness, teaching

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
    path("courses/<slug:slug>/learners/check-in/", checkins.check_in_compose, name="check-in-compose"),
    path("courses/<slug:slug>/check-ins/", checkins.check_in_log, name="check-in-log"),
    path("courses/<slug:slug>/check-ins/templates/", checkins.check_in_templates, name="check-in-templates"),
    path(
        "courses/<slug:slug>/check-ins/templates/<int:template_id>/",
        checkins.check_in_template,
        name="check-in-template",
    ),
    path("courses/<slug:slug>/check-ins/rules/", checkins.check_in_rules, name="check-in-rules"),
    path("courses/<slug:slug>/check-ins/rules/<int:rule_id>/", checkins.check_in_rule, name="check-in-rule"),
]
