from django.contrib import admin

from cadence.content.models import CaptionTrack, ChecklistStep, CourseImage, Lesson, Video


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin[Lesson]):
    list_display = ["item", "word_count", "updated_at"]
    list_select_related = ["item"]
    search_fields = ["item__title"]
    raw_id_fields = ["item"]


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin[Video]):
    list_display = ["item", "filename", "external_url", "duration_seconds", "updated_at"]
    list_select_related = ["item"]
    search_fields = ["item__title"]
    raw_id_fields = ["item"]


@admin.register(CaptionTrack)
class CaptionTrackAdmin(admin.ModelAdmin[CaptionTrack]):
    list_display = ["video", "label", "language", "cue_count", "created_at"]
    raw_id_fields = ["video"]


@admin.register(CourseImage)
class CourseImageAdmin(admin.ModelAdmin[CourseImage]):
    list_display = ["filename", "course", "content_type", "size", "created_at"]
    list_select_related = ["course"]
    raw_id_fields = ["course", "uploaded_by"]


@admin.register(ChecklistStep)
class ChecklistStepAdmin(admin.ModelAdmin[ChecklistStep]):
    list_display = ["text", "checklist", "position"]
    raw_id_fields = ["checklist"]
