from django.urls import path

from cadence.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/open/", views.notification_open, name="open"),
    path("<int:notification_id>/unread/", views.notification_mark_unread, name="mark-unread"),
    path("read/", views.notification_mark_read, name="mark-read"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe_page, name="unsubscribe"),
]
