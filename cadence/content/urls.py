from django.urls import path

from cadence.content import library_views, views

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

urlpatterns += [
    path("<slug:slug>/library/", library_views.library, name="library"),
    path("<slug:slug>/library/new/", library_views.resource_create, name="resource-create"),
    path("<slug:slug>/library/<int:resource_id>/edit/", library_views.resource_edit, name="resource-edit"),
    path("<slug:slug>/library/<int:resource_id>/delete/", library_views.resource_delete, name="resource-delete"),
    path("<slug:slug>/library/<int:resource_id>/open/", library_views.resource_open, name="resource-open"),
    path("<slug:slug>/library/<int:resource_id>/<str:filename>", library_views.resource_file, name="resource-file"),
    path("<slug:slug>/items/<int:item_id>/resource/edit/", library_views.item_resource_edit, name="item-resource-edit"),
    path("<slug:slug>/search/", library_views.course_search, name="course-search"),
]
