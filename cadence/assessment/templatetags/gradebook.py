"""A gradebook row rendered in Python: a page holds 50 learners × every graded item (5,000 cells for 100
items), which the template language renders about ten times slower."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cadence.assessment.domain import scores
from cadence.assessment.selectors.gradebook import Book, Row

register = template.Library()


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else number_format(scores.shown(value), 1)


@register.filter
def shown_percent(value: Decimal | None) -> str:
    """A gradebook figure as shown everywhere: one decimal, rounded half up; "—" for none."""
    return _percent(value)


@register.simple_tag(takes_context=True)
def gradebook_row(context: template.Context, the_book: Book, row: Row) -> SafeString:
    cache = context.render_context
    if "gradebook_base" not in cache:
        # The override address with placeholders, built once per page instead of reversed per cell.
        cache["gradebook_base"] = reverse("assessment:grade-override", args=[context["course"].slug, 0, 0])
        cache["gradebook_label"] = _("Change %(name)s's grade for %(title)s")
    base: str = cache["gradebook_base"]
    may_edit = bool(context.get("may_edit"))
    cells = []
    for column in the_book.columns:
        cell = row.cells[column.item_id]
        text = _percent(cell.percent) + ("*" if cell.overridden else "")
        if may_edit:
            url = base.replace("/items/0/", f"/items/{column.item_id}/").replace(
                "/learners/0/", f"/learners/{row.user_id}/"
            )
            label = cache["gradebook_label"] % {"name": row.name, "title": column.title}
            cells.append(format_html('<td><a href="{}" aria-label="{}">{}</a></td>', url, label, text))
        else:
            cells.append(format_html("<td>{}</td>", text))
    categories = [format_html("<td>{}</td>", _percent(r.percent)) for r in row.categories if r.category_id is not None]
    return format_html(
        '<th scope="row">{}</th>{}{}<td><strong>{}</strong></td><td>{}</td>',
        row.name,
        format_html_join("", "{}", ((c,) for c in cells)),
        format_html_join("", "{}", ((c,) for c in categories)),
        _percent(row.total),
        row.letter or "—",
    )
