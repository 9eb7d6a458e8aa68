from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadence.core.errors import DomainError
from cadence.core.htmx import is_htmx
from cadence.courses.views.common import get_course, get_item, signed_in
from cadence.progress import selectors, services


@require_POST
def item_done(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "view")
    try:
        services.mark_done(user=user, item=item, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked done. Well done!"))
    return redirect("courses:item-detail", slug=course.slug, item_id=item.pk)


@require_POST
def item_review(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "view")
    marked = request.POST.get("marked") == "1"
    services.set_review_mark(user=user, item=item, marked=marked)
    if is_htmx(request):
        state = selectors.item_state(user, item)
        return render(
            request, "progress/item_status.html#review-toggle", {"course": course, "item": item, "state": state}
        )
    messages.success(request, _("Kept for review.") if marked else _("Review mark removed."))
    return redirect("courses:item-detail", slug=course.slug, item_id=item.pk)
