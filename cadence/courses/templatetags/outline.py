"""The outline row of an item, rendered in Python: a long course has hundreds of rows, and the
template language costs about 0.3 ms a row where this costs a tenth of that. Same markup as before."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cadence.core.templatetags.cadence import when
from cadence.courses.models import Item, ItemKind
from cadence.courses.outline_cache import deadline_text

register = template.Library()
TODO_MARK = mark_safe('<span class="todo-mark" aria-hidden="true">○</span>')


def _labels(context: template.Context) -> dict[str, str]:
    """Translated words used on every row, looked up once per page rather than once per row."""
    labels: dict[str, str] | None = context.render_context.get("outline_labels")
    if labels is None:
        labels = {f"kind:{value}": str(label) for value, label in ItemKind.choices}
        labels |= {"completed": _("Completed:"), "min": _("min"), "review": _("review"), "hidden": _("Hidden")}
        labels["due"] = _("Due")
        context.render_context["outline_labels"] = labels
    return labels


@register.simple_tag(takes_context=True)
def item_deadline(context: template.Context, item: Item) -> SafeString | str:
    return deadline_text(item, context.get("deadlines"))


@register.simple_tag(takes_context=True)
def outline_row(context: template.Context, item: Item) -> SafeString:
    labels = _labels(context)
    progress = context.get("progress")
    availability = context.get("availability")
    parts: list[SafeString] = []
    if progress:
        if item.pk in progress.completed_item_ids:
            parts.append(
                format_html(
                    '<span class="done-mark" aria-hidden="true">✓</span><span class="visually-hidden">{}</span>',
                    labels["completed"],
                )
            )
        else:
            parts.append(TODO_MARK)
    parts.append(
        format_html(
            '<span class="kind">{}</span><a href="{}items/{}/">{}</a>',
            labels.get(f"kind:{item.kind}", item.kind),
            context.get("course_url", ""),
            item.pk,
            item.title,
        )
    )
    lock = availability.lock_for(item) if availability else None
    if lock is not None:
        opens = format_html(" {}", when(lock.opens_at)) if lock.opens_at is not None else ""
        parts.append(
            format_html(
                '<span class="lock-note" id="item-{}-lock"><span aria-hidden="true">🔒</span> {}{}</span>',
                item.pk,
                lock.reason,
                opens,
            )
        )
    parts.append(format_html('<span class="muted item-minutes">{} {}</span>', item.minutes, labels["min"]))
    due = deadline_text(item, context.get("deadlines"))
    if due:
        parts.append(format_html('<span class="item-due">{} {}</span>', labels["due"], due))
    if progress and item.pk in progress.review_item_ids:
        parts.append(format_html('<span class="badge">{}</span>', labels["review"]))
    if not item.is_published:
        parts.append(format_html('<span class="badge badge-hidden">{}</span>', labels["hidden"]))
    return format_html("<span>{}</span>", format_html_join("\n", "{}", ((p,) for p in parts)))
