from django.urls import path

from cadence.courses import views

app_name = "courses"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("new/", views.course_create, name="course-create"),
    path("<slug:slug>/", views.course_detail, name="course-detail"),
    path("<slug:slug>/edit/", views.course_edit, name="course-edit"),
    path("<slug:slug>/delete/", views.course_delete, name="course-delete"),
    path("<slug:slug>/restore/", views.course_restore, name="course-restore"),
    path("<slug:slug>/archive/", views.course_archive, name="course-archive"),
    path("<slug:slug>/archive/modules/<int:module_id>/restore/", views.module_restore, name="module-restore"),
    path("<slug:slug>/archive/items/<int:item_id>/restore/", views.item_restore, name="item-restore"),
    path("<slug:slug>/join/", views.course_join, name="course-join"),
    path("<slug:slug>/preview/", views.course_preview, name="course-preview"),
    path("<slug:slug>/people/", views.people, name="people"),
    path("<slug:slug>/people/add/", views.people_add, name="people-add"),
    path("<slug:slug>/people/import/", views.roster_import, name="roster-import"),
    path("<slug:slug>/people/code/", views.code_regenerate, name="code-regenerate"),
    path("<slug:slug>/people/groups/", views.group_create, name="group-create"),
    path("<slug:slug>/people/accommodations/", views.accommodations, name="accommodations"),
    path(
        "<slug:slug>/people/accommodations/<int:accommodation_id>/remove/",
        views.accommodation_remove,
        name="accommodation-remove",
    ),
    path("<slug:slug>/people/<int:membership_id>/role/", views.membership_role, name="membership-role"),
    path("<slug:slug>/people/<int:membership_id>/groups/", views.membership_groups, name="membership-groups"),
    path("<slug:slug>/people/<int:membership_id>/observe/", views.observer_link, name="observer-link"),
    path("<slug:slug>/people/<int:membership_id>/remove/", views.membership_remove, name="membership-remove"),
    path("<slug:slug>/modules/new/", views.module_create, name="module-create"),
    path("<slug:slug>/modules/<int:module_id>/", views.module_detail, name="module-detail"),
    path("<slug:slug>/modules/<int:module_id>/edit/", views.module_edit, name="module-edit"),
    path("<slug:slug>/modules/<int:module_id>/delete/", views.module_delete, name="module-delete"),
    path("<slug:slug>/modules/<int:module_id>/move/", views.module_move, name="module-move"),
    path("<slug:slug>/modules/<int:module_id>/items/new/", views.item_create, name="item-create"),
    path("<slug:slug>/items/<int:item_id>/", views.item_detail, name="item-detail"),
    path("<slug:slug>/items/<int:item_id>/edit/", views.item_edit, name="item-edit"),
    path("<slug:slug>/items/<int:item_id>/delete/", views.item_delete, name="item-delete"),
    path("<slug:slug>/items/<int:item_id>/move/", views.item_move, name="item-move"),
    path("<slug:slug>/items/<int:item_id>/extensions/", views.item_extensions, name="item-extensions"),
    path(
        "<slug:slug>/items/<int:item_id>/extensions/<int:extension_id>/revoke/",
        views.extension_revoke,
        name="extension-revoke",
    ),
]
