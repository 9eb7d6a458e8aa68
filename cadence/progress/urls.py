from django.urls import path

from cadence.progress import views

app_name = "progress"

urlpatterns = [
    path("<slug:slug>/items/<int:item_id>/done/", views.item_done, name="item-done"),
    path("<slug:slug>/items/<int:item_id>/review/", views.item_review, name="item-review"),
    path("<slug:slug>/items/<int:item_id>/status/", views.item_status, name="item-status"),
    path("<slug:slug>/items/<int:item_id>/release/", views.item_release, name="item-release"),
    path("<slug:slug>/items/<int:item_id>/override/", views.item_override, name="item-override"),
    path("<slug:slug>/modules/<int:module_id>/release/", views.module_release, name="module-release"),
    path("<slug:slug>/modules/<int:module_id>/override/", views.module_override, name="module-override"),
    path("<slug:slug>/items/<int:item_id>/notes/", views.note_add, name="note-add"),
    path("<slug:slug>/notes/", views.note_list, name="note-list"),
    path("<slug:slug>/notes/export/", views.note_export, name="note-export"),
    path("<slug:slug>/notes/<int:note_id>/delete/", views.note_delete, name="note-delete"),
    path("<slug:slug>/release/overrides/<int:override_id>/revoke/", views.override_revoke, name="override-revoke"),
]
