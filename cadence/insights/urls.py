from django.urls import path

from cadence.insights import views_health, views_home

app_name = "insights"

urlpatterns = [
    path("teaching/", views_home.teaching_home, name="teaching-home"),
    path("courses/<slug:slug>/health/", views_health.course_health, name="course-health"),
    path("courses/<slug:slug>/health/refresh/", views_health.course_health_refresh, name="course-health-refresh"),
]
