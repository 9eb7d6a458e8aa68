from django.urls import path

from cadence.content import views

app_name = "content"

urlpatterns = [
    path("<slug:slug>/items/<int:item_id>/lesson/edit/", views.lesson_edit, name="lesson-edit"),
    path("<slug:slug>/items/<int:item_id>/lesson/preview/", views.lesson_preview, name="lesson-preview"),
    path("<slug:slug>/items/<int:item_id>/lesson/images/", views.image_upload, name="image-upload"),
    path("<slug:slug>/images/<int:image_id>/<str:filename>", views.image_file, name="image-file"),
    path("<slug:slug>/items/<int:item_id>/video/edit/", views.video_edit, name="video-edit"),
    path("<slug:slug>/items/<int:item_id>/video/file/", views.video_file, name="video-file"),
    path("<slug:slug>/items/<int:item_id>/video/transcript/", views.transcript, name="transcript"),
    path("<slug:slug>/items/<int:item_id>/video/captions/", views.caption_upload, name="caption-upload"),
    path("<slug:slug>/items/<int:item_id>/video/captions/<int:track_id>.vtt", views.caption_file, name="caption-file"),
    path(
        "<slug:slug>/items/<int:item_id>/video/captions/<int:track_id>/delete/",
        views.caption_delete,
        name="caption-delete",
    ),
    path("<slug:slug>/items/<int:item_id>/checklist/edit/", views.checklist_edit, name="checklist-edit"),
    path("<slug:slug>/items/<int:item_id>/checklist/steps/<int:step_id>/tick/", views.step_tick, name="step-tick"),
]
