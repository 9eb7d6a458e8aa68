from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from cadence.api import api
from cadence.courses import views as course_views


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", course_views.home, name="home"),
    path("join/", course_views.join_with_code, name="join-code"),
    path("invitations/<str:token>/", course_views.invitation_accept, name="invitation-accept"),
    path("invitations/mine/<int:pk>/accept/", course_views.my_invitation_accept, name="my-invitation-accept"),
    path("invitations/mine/<int:pk>/decline/", course_views.my_invitation_decline, name="my-invitation-decline"),
    path("accounts/", include("cadence.accounts.urls")),
    path("courses/", include("cadence.courses.urls")),
    path("courses/", include("cadence.content.urls")),
    path("courses/", include("cadence.progress.urls")),
    path("courses/", include("cadence.assessment.urls")),
    path("courses/", include("cadence.community.urls")),
    path("courses/", include("cadence.insights.urls")),
    path("", include("cadence.messaging.urls")),
    path("notifications/", include("cadence.notifications.urls")),
    path("privacy/", include("cadence.privacy.urls")),
    path("", include("cadence.core.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
]
