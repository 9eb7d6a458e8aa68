"""What the community services share: limits, the flood guard, mentions and attachments."""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.community.models import Post
from cadence.content import services as content_services
from cadence.core import rate, text, uploads
from cadence.core.errors import DomainError, InvalidInput
from cadence.courses.models import Course

TITLE_MAX = 200
BODY_MAX = 20000
REASON_MAX = 1000
EXCERPT_CHARS = 200


class Flooding(DomainError):
    """Too many posts in a short time."""

    status_code = 429


def posts_per_minute() -> int:
    return int(getattr(settings, "COMMUNITY_POSTS_PER_MINUTE", 6))


def check_rate(user: User, now: datetime) -> None:
    """Refuse a post beyond the per-minute limit; the post is counted once its transaction commits."""
    key = rate.minute_key("community:posts", user.pk, now)
    if rate.used(key) >= posts_per_minute():
        raise Flooding(
            _("You are posting too quickly: at most %(n)s posts a minute. Wait a moment and post again.")
            % {"n": posts_per_minute()}
        )
    transaction.on_commit(lambda: rate.count(key))


def clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput(_("Give the thread a title."))
    if len(title) > TITLE_MAX:
        raise InvalidInput(_("The title can be at most %(max)s characters.") % {"max": TITLE_MAX})
    return title


def clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput(_("Write a message."))
    if len(body) > BODY_MAX:
        raise InvalidInput(_("A message can be at most %(max)s characters.") % {"max": BODY_MAX})
    return body


def excerpt(body: str) -> str:
    return text.excerpt(body, EXCERPT_CHARS)


# --- Mentions: "@[Display Name]" or "@DisplayName" (the name without spaces or punctuation) -------------
MENTION = re.compile(r"(?<![\w@/])@(?:\[([^\]\n]{1,100})\]|(\w[\w.-]{0,99}))")


def handle_of(display_name: str) -> str:
    """A member's handle: their display name without spaces or punctuation, matched ignoring case."""
    return re.sub(r"\W", "", display_name).lower()


# Code is not prose: `@property` in a code span or block mentions nobody.
_CODE = re.compile(r"```.*?(?:```|$)|~~~.*?(?:~~~|$)|`[^`\n]*`", re.DOTALL)


def mentioned_names(body: str) -> list[str]:
    names: list[str] = []
    for bracketed, bare in MENTION.findall(_CODE.sub(" ", body or "")):
        name = bracketed.strip() if bracketed else bare.rstrip(".-")
        if name and name not in names:
            names.append(name)
    return names


def resolve_mentions(course: Course, body: str) -> list[User]:
    """The course members a message mentions; any name that is not one member is an error."""
    names = mentioned_names(body)
    if not names:
        return []
    members = list(User.objects.filter(memberships__course=course, is_active=True).only("pk", "display_name"))
    by_handle: dict[str, list[User]] = {}
    for member in members:
        by_handle.setdefault(handle_of(member.display_name), []).append(member)
    found: list[User] = []
    for name in names:
        matches = by_handle.get(handle_of(name), [])
        if not matches:
            raise InvalidInput(
                _("@%(name)s is not a member of this course, so they cannot be mentioned. Nothing was posted.")
                % {"name": name[:100]}
            )
        if len(matches) > 1:
            raise InvalidInput(
                _("Several members are called “%(name)s”; the mention is ambiguous. Nothing was posted.")
                % {"name": name[:100]}
            )
        if matches[0] not in found:
            found.append(matches[0])
    return found


# --- Attachments: the library's limits and checks ------------------------------------------------------
def check_attachment(upload: UploadedFile) -> uploads.ResourceFormat:
    return content_services.check_resource_file(upload)


def attach(post: Post, upload: UploadedFile, fmt: uploads.ResourceFormat) -> None:
    """Store the file with the post; called last in the service's transaction, after every check."""
    post.filename = uploads.display_name(upload.name or "", fmt.kind, "attachment")
    post.content_type = fmt.kind.content_type
    post.size = upload.size
    post.file.save(post.filename, upload, save=False)
    post.save(update_fields=["file", "filename", "content_type", "size"])


def is_staff_in(user: User, course: Course) -> bool:
    return policy.can(user, "moderate", course)
