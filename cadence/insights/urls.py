from django.urls import path

from cadence.insights import learners_views

app_name = "insights"

urlpatterns = [
    path("<slug:slug>/learners/", learners_views.learners_table, name="learners-table"),
    path("<slug:slug>/learners/export/", learners_views.learners_export, name="learners-export"),
    path("<slug:slug>/learners/risk-settings/", learners_views.risk_settings, name="risk-settings"),
]
