from django.urls import path

from cadence.families import views

app_name = "families"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:learner_id>/", views.learner, name="learner"),
    path("follow/", views.follow, name="follow"),
    path("followers/", views.followers, name="followers"),
    path("requests/<int:pk>/confirm/", views.request_confirm, name="request-confirm"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request-decline"),
]
