"""Pages for data rights: "Your data" (copies, deletion), the download, and the administrators' queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.accounts.models import User
from cadence.core import uploads
from cadence.core.errors import DomainError
from cadence.core.middleware import arrival_time
from cadence.privacy import selectors, services
from cadence.privacy.forms import ConfirmDeletionForm, DeclineForm, DeletionRequestForm
from cadence.privacy.models import (
    DataExport,
    DeletionRequest,
    DeletionStatus,
    ExportStatus,
    ForumPostsOnDeletion,
    PrivacySettings,
)


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _home_context(user: User, deletion_form: DeletionRequestForm | None = None) -> dict[str, object]:
    exports = selectors.exports_for(user)
    deletion = selectors.latest_deletion_request(user)
    return {
        "exports": exports,
        "preparing": selectors.pending_export_subject_ids(exports),
        "children": selectors.learners_i_may_export_for(user),
        "deletion": deletion,
        "deletion_pending": deletion is not None and deletion.status == DeletionStatus.PENDING,
        "deletion_form": deletion_form or DeletionRequestForm(),
        "export_days": settings.DATA_EXPORT_DAYS,
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/home.html", _home_context(_me(request)))


@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    subject_id = request.POST.get("subject", "")
    if subject_id and subject_id != str(user.pk):
        pk = int(subject_id) if subject_id.isdigit() and len(subject_id) <= 18 else 0  # fits a 64-bit key
        subject = User.objects.filter(pk=pk).first()
        if subject is None or not policy.can(user, "export_data", subject):
            # Whether someone exists is not for strangers to learn: the same answer as for nobody.
            return HttpResponse(status=404)
    else:
        subject = user
    try:
        services.request_export(actor=user, subject=subject, now=arrival_time(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The copy is being prepared. You will get a notification and an email when it is ready.")
        )
    return redirect("privacy:home")


@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    user = _me(request)
    data_export = get_object_or_404(policy.scope(user, "download", DataExport.objects.select_related("subject")), pk=pk)
    usable = (
        data_export.status == ExportStatus.READY
        and data_export.expires_at is not None
        and data_export.expires_at > arrival_time(request)
        and data_export.file
        and default_storage.exists(data_export.file.name)
    )
    if not usable:
        return render(request, "privacy/export_gone.html", {"export": data_export}, status=410)
    assert data_export.ready_at is not None
    response = uploads.serve_stored_file(
        name=data_export.file.name,
        content_type="application/zip",
        filename=f"cadence-data-{data_export.subject_id}-{data_export.ready_at:%Y-%m-%d}.zip",
        range_header=request.headers.get("Range", ""),
        attachment=True,
    )
    response["Cache-Control"] = "no-store"  # personal data: no copy kept by any cache
    return response


@require_POST
def deletion_request(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    form = DeletionRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "privacy/home.html", _home_context(user, form), status=400)
    try:
        services.request_deletion(user=user, reason=form.cleaned_data["reason"], now=arrival_time(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Your request has been sent to the site administrators. You can cancel it until they act.")
        )
    return redirect("privacy:home")


@require_POST
def deletion_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    deletion = get_object_or_404(DeletionRequest, pk=pk)
    if not policy.can(user, "cancel", deletion):
        raise Http404  # someone else's request is not theirs to know about
    try:
        services.cancel_deletion(actor=user, deletion=deletion, now=arrival_time(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your request to delete your account is cancelled."))
    return redirect("privacy:home")


# --- Site administrators ----------------------------------------------------------------------------
def _require_reviewer(user: User) -> None:
    if not policy.can(user, "review_deletions"):
        raise PermissionDenied


@require_GET
def deletion_list(request: HttpRequest) -> HttpResponse:
    admin = _me(request)
    _require_reviewer(admin)
    return render(
        request,
        "privacy/deletion_list.html",
        {"pending": list(selectors.deletion_queue(admin)), "decided": selectors.recent_decisions(admin)},
    )


def _decidable(request: HttpRequest, pk: int) -> tuple[User, DeletionRequest]:
    admin = _me(request)
    _require_reviewer(admin)
    rows = DeletionRequest.objects.select_related("user", "decided_by")
    deletion = get_object_or_404(policy.scope(admin, "decide", rows), pk=pk)
    return admin, deletion


def _detail(
    request: HttpRequest,
    deletion: DeletionRequest,
    *,
    confirm_form: ConfirmDeletionForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    pending = deletion.status == DeletionStatus.PENDING
    context = {
        "deletion": deletion,
        "pending": pending,
        "impact": selectors.deletion_impact(deletion.user) if pending else None,
        "confirm_form": confirm_form or ConfirmDeletionForm(),
        "decline_form": decline_form or DeclineForm(),
        "posts_removed": PrivacySettings.current().forum_posts_on_deletion == ForumPostsOnDeletion.REMOVE,
        "retention_days": settings.CADENCE_DELETED_ACCOUNT_RETENTION_DAYS,
    }
    return render(request, "privacy/deletion_detail.html", context, status=status)


@require_GET
def deletion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _admin, deletion = _decidable(request, pk)
    return _detail(request, deletion)


@require_POST
def deletion_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    admin, deletion = _decidable(request, pk)
    form = ConfirmDeletionForm(request.POST)
    if not form.is_valid():
        return _detail(request, deletion, confirm_form=form, status=400)
    try:
        services.confirm_deletion(actor=admin, deletion=deletion, now=arrival_time(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("privacy:deletion-detail", pk=deletion.pk)
    messages.success(request, _("The account has been erased."))
    return redirect("privacy:deletion-list")


@require_POST
def deletion_decline(request: HttpRequest, pk: int) -> HttpResponse:
    admin, deletion = _decidable(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _detail(request, deletion, decline_form=form, status=400)
    try:
        services.decline_deletion(
            actor=admin, deletion=deletion, note=form.cleaned_data["note"], now=arrival_time(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("privacy:deletion-detail", pk=deletion.pk)
    messages.success(request, _("The request has been declined and the person told why."))
    return redirect("privacy:deletion-list")
