from django.urls import path

from cadence.progress import views

app_name = "progress"

urlpatterns = [
    path("<slug:slug>/items/<int:item_id>/done/", views.item_done, name="item-done"),
    path("<slug:slug>/items/<int:item_id>/review/", views.item_review, name="item-review"),
]
