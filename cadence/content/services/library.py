"""The course library: documents, slides, datasets and links, with descriptions and tags.

A resource is an uploaded file or an http(s) address. Files are checked by size, by name (only the
formats in `uploads.RESOURCE_FORMATS`) and by their first bytes, which must agree with the name; text
formats must be UTF-8 throughout. A file or link item of the outline shows one resource.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.content import search
from cadence.content.models import Resource, ResourceKind, ResourceTag
from cadence.content.services.common import check_web_address
from cadence.core import audit, uploads
from cadence.core.errors import FieldError, InvalidInput
from cadence.core.uploads import check_size, delete_files_after_commit, delete_files_if_rolled_back
from cadence.courses.models import Course, Item, ItemKind

MAX_TAGS = 12
MAX_TAG_CHARS = 40
MAX_DESCRIPTION_CHARS = 20000
_TAG_SPLIT = re.compile(r"[,;\n]")
ITEM_KINDS = (ItemKind.FILE, ItemKind.LINK)


@dataclass(frozen=True)
class ResourceInput:
    title: str
    description: str = ""
    kind: str = ""  # "" = suggested by the file's format (or "link" for an address)
    url: str = ""
    tags: Sequence[str] = field(default_factory=tuple)
    is_published: bool = True


def parse_tags(text: str) -> list[str]:
    """ "Statistics, R;  week 1" → ["statistics", "r", "week 1"]: lower-case, de-duplicated, in order."""
    seen: list[str] = []
    for raw in _TAG_SPLIT.split(text):
        tag = " ".join(raw.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def _check_tags(tags: Sequence[str]) -> list[str]:
    clean = parse_tags(",".join(tags))
    if len(clean) > MAX_TAGS:
        raise FieldError(_("Use at most %(max)s tags.") % {"max": MAX_TAGS}, field="tags")
    long = [t for t in clean if len(t) > MAX_TAG_CHARS]
    if long:
        raise FieldError(
            _("Tags can be at most %(max)s characters: “%(tag)s” is longer.") % {"max": MAX_TAG_CHARS, "tag": long[0]},
            field="tags",
        )
    return clean


def _check_text(data: ResourceInput) -> tuple[str, str]:
    title = " ".join(data.title.split())
    if not title:
        raise FieldError(_("Give the resource a title."), field="title")
    if len(title) > 200:
        raise FieldError(_("The title can be at most 200 characters."), field="title")
    description = data.description.replace("\r\n", "\n").strip()
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise FieldError(
            _("The description can be at most %(max)s characters.") % {"max": MAX_DESCRIPTION_CHARS},
            field="description",
        )
    if data.kind and data.kind not in ResourceKind.values:
        raise FieldError(_("Choose one of the listed types."), field="kind")
    return title, description


def check_resource_file(upload: UploadedFile) -> uploads.ResourceFormat:
    check_size(
        upload,
        limit=settings.CONTENT_RESOURCE_MAX_BYTES,
        too_large=_("The file is too large (%(size)s); library files may be at most %(limit)s."),
    )
    return uploads.check_format(
        upload,
        refused=_(
            "“%(name)s” cannot be added: the library takes %(allowed)s files, and a file's contents must "
            "match its name."
        ),
        field="file",
    )


def _set_tags(resource: Resource, names: Sequence[str]) -> None:
    existing = {t.name: t for t in ResourceTag.objects.filter(course_id=resource.course_id, name__in=names)}
    missing = [ResourceTag(course_id=resource.course_id, name=n) for n in names if n not in existing]
    ResourceTag.objects.bulk_create(missing, ignore_conflicts=True)
    tags = list(ResourceTag.objects.filter(course_id=resource.course_id, name__in=names))
    resource.tags.set(tags)


def _require_item(item: Item | None, course: Course) -> None:
    if item is None:
        return
    if item.course_id != course.pk or item.kind not in ITEM_KINDS:
        raise InvalidInput(_("Only a file or link item of this course can show a library resource."))


@transaction.atomic
def save_resource(
    *,
    actor: User,
    course: Course,
    data: ResourceInput,
    resource: Resource | None = None,
    upload: UploadedFile | None = None,
    item: Item | None = None,
) -> Resource:
    """Add a resource to the library (`resource` None) or change one. A new file replaces an address
    and any old file; an address replaces a file; with neither, an existing resource keeps its source.
    With `item`, the resource becomes the one that file or link item shows.
    """
    policy.require(actor, "edit", course)
    if resource is not None and resource.course_id != course.pk:
        raise InvalidInput(_("That resource belongs to another course."))
    _require_item(item, course)
    title, description = _check_text(data)
    tags = _check_tags(data.tags)
    if upload is not None and data.url.strip():
        raise FieldError(_("Give either a file or an address, not both."))
    url = check_web_address(data.url, field="url", what=_("a link")) if data.url.strip() else ""
    fmt = check_resource_file(upload) if upload is not None else None
    if fmt is None and not url and (resource is None or not (resource.file or resource.url)):
        raise FieldError(_("Upload a file or give the address of a web page."), field="file")
    if resource is None:
        resource = Resource(course=course, created_by=actor)
    else:
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
    old_file = resource.file.name or ""
    resource.title, resource.description, resource.is_published = title, description, data.is_published
    stored: list[str] = []
    try:
        if fmt is not None and upload is not None:
            resource.filename = uploads.display_name(upload.name or "", fmt.kind, "file")
            resource.sha256 = uploads.sha256_of(upload)
            resource.file.save(resource.filename, upload, save=False)
            stored.append(resource.file.name or "")
            resource.content_type = fmt.kind.content_type
            resource.size = upload.size
            resource.url = ""
        elif url:
            resource.file = ""  # an empty name clears a FileField
            resource.filename = resource.content_type = resource.sha256 = ""
            resource.size = None
            resource.url = url
        resource.kind = data.kind or (fmt.library_kind if fmt else ResourceKind.LINK if url else resource.kind)
        if item is not None:
            resource.item = item
        resource.save()
        _set_tags(resource, tags)
        search.index_resource(resource)
        audit.record(
            actor=actor,
            verb="resource.saved",
            obj=resource,
            course_id=course.pk,
            title=title,
            source="file" if resource.is_file else "address",
            size=resource.size,
        )
    except BaseException:
        delete_files_if_rolled_back(stored)
        raise
    if old_file and old_file != (resource.file.name or ""):
        delete_files_after_commit([old_file])
    return resource


@transaction.atomic
def delete_resource(*, actor: User, resource: Resource) -> None:
    """Remove a resource and its file (once committed). A file or link item showing it becomes empty."""
    policy.require(actor, "edit", resource)
    audit.record(actor=actor, verb="resource.deleted", obj=resource, course_id=resource.course_id, title=resource.title)
    old_file = resource.file.name or ""
    resource.delete()
    delete_files_after_commit([old_file])
