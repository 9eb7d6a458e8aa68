from django.urls import path

from cadence.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("copies/", views.export_request, name="export-request"),
    path("copies/<int:pk>/download/", views.export_download, name="export-download"),
    path("deletion/", views.deletion_request, name="deletion-request"),
    path("deletion/<int:pk>/cancel/", views.deletion_cancel, name="deletion-cancel"),
    path("deletion-requests/", views.deletion_list, name="deletion-list"),
    path("deletion-requests/<int:pk>/", views.deletion_detail, name="deletion-detail"),
    path("deletion-requests/<int:pk>/confirm/", views.deletion_confirm, name="deletion-confirm"),
    path("deletion-requests/<int:pk>/decline/", views.deletion_decline, name="deletion-decline"),
]
