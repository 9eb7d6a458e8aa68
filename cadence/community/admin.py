"""Site administrators' view of forums. Moderation itself happens on the course's own pages (it is audited)."""

from django.contrib import admin

from cadence.community.models import Forum, Post, Report, Thread


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin[Forum]):
    list_display = ["title", "course", "kind", "post_first", "group_separated", "item"]
    list_filter = ["kind"]
    list_select_related = ["course", "item"]
    search_fields = ["title", "course__title"]
    raw_id_fields = ["course", "item"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin[Thread]):
    list_display = ["title", "forum", "author", "post_count", "last_post_at", "is_pinned", "is_locked"]
    list_select_related = ["forum", "author"]
    search_fields = ["title"]
    raw_id_fields = ["forum", "course", "group", "author"]
    readonly_fields = ["post_count", "last_post_at", "last_post_id"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    list_display = ["pk", "thread", "author", "created_at", "deleted_at", "hidden_at"]
    list_select_related = ["thread", "author"]
    raw_id_fields = ["thread", "course", "author", "parent"]
    readonly_fields = ["upvote_count", "file", "filename", "content_type", "size", "client_key"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = ["post", "course", "reporter", "status", "created_at", "handled_by"]
    list_filter = ["status"]
    list_select_related = ["post", "course", "reporter", "handled_by"]
    raw_id_fields = ["post", "course", "reporter", "handled_by"]
