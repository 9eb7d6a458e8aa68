from django.urls import path

from cadence.community import views

app_name = "community"

urlpatterns = [
    path("<slug:slug>/forums/", views.forum_list, name="forum-list"),
    path("<slug:slug>/forums/new/", views.forum_create, name="forum-create"),
    path("<slug:slug>/forums/search/", views.forum_search, name="forum-search"),
    path("<slug:slug>/forums/reports/", views.report_list, name="report-list"),
    path("<slug:slug>/forums/reports/<int:report_id>/", views.report_handle, name="report-handle"),
    path("<slug:slug>/forums/<int:forum_id>/", views.forum_detail, name="forum-detail"),
    path("<slug:slug>/forums/<int:forum_id>/edit/", views.forum_edit, name="forum-edit"),
    path("<slug:slug>/forums/<int:forum_id>/new/", views.thread_create, name="thread-create"),
    path("<slug:slug>/forums/<int:forum_id>/similar/", views.thread_suggest, name="thread-suggest"),
    path("<slug:slug>/forums/<int:forum_id>/read/", views.forum_mark_read, name="forum-mark-read"),
    path("<slug:slug>/forums/<int:forum_id>/follow/", views.forum_subscribe, name="forum-subscribe"),
    path("<slug:slug>/threads/<int:thread_id>/", views.thread_detail, name="thread-detail"),
    path("<slug:slug>/threads/<int:thread_id>/reply/", views.post_create, name="post-create"),
    path("<slug:slug>/threads/<int:thread_id>/follow/", views.thread_subscribe, name="thread-subscribe"),
    path("<slug:slug>/threads/<int:thread_id>/lock/", views.thread_lock, name="thread-lock"),
    path("<slug:slug>/threads/<int:thread_id>/pin/", views.thread_pin, name="thread-pin"),
    path("<slug:slug>/threads/<int:thread_id>/answered/", views.thread_answered, name="thread-answered"),
    path("<slug:slug>/posts/<int:post_id>/edit/", views.post_edit, name="post-edit"),
    path("<slug:slug>/posts/<int:post_id>/history/", views.post_history, name="post-history"),
    path("<slug:slug>/posts/<int:post_id>/delete/", views.post_delete, name="post-delete"),
    path("<slug:slug>/posts/<int:post_id>/vote/", views.post_vote, name="post-vote"),
    path("<slug:slug>/posts/<int:post_id>/endorse/", views.post_endorse, name="post-endorse"),
    path("<slug:slug>/posts/<int:post_id>/hide/", views.post_hide, name="post-hide"),
    path("<slug:slug>/posts/<int:post_id>/report/", views.post_report, name="post-report"),
    path("<slug:slug>/posts/<int:post_id>/files/<str:filename>", views.post_file, name="post-file"),
]
