"""Content writes. Import from here: `from cadence.content import services`."""

from cadence.content.services.checklists import StepInput, TickResult, save_checklist, set_step_ticked
from cadence.content.services.lessons import (
    check_lesson_body,
    count_words,
    reading_minutes,
    save_lesson,
    upload_image,
)
from cadence.content.services.library import (
    ResourceInput,
    check_resource_file,
    delete_resource,
    parse_tags,
    save_resource,
)
from cadence.content.services.videos import (
    add_captions,
    check_external_url,
    delete_captions,
    running_minutes,
    save_video,
)

__all__ = [
    "ResourceInput", "StepInput", "TickResult", "add_captions", "check_external_url",
    "check_lesson_body", "check_resource_file", "count_words", "delete_captions", "delete_resource", "parse_tags",
    "reading_minutes", "running_minutes", "save_checklist", "save_lesson", "save_resource", "save_video",
    "set_step_ticked", "upload_image",
]  # fmt: skip
