from django.urls import path

from cadence.core import views

app_name = "core"

urlpatterns = [
    path("session/", views.session_state, name="session-detail"),
    path("work/<str:token>/", views.work_resume, name="work-resume"),
]
