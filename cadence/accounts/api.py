from typing import Annotated

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import WithJsonSchema

from cadence.accounts import services
from cadence.accounts.models import User
from cadence.core.api_types import TimeZoneName, errors, omittable

router = Router(tags=["me"])

# Declared with the list the services check against, so the document and the answers agree.
LanguageCode = Annotated[str, WithJsonSchema({"type": "string", "enum": [code for code, _name in settings.LANGUAGES]})]


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    time_zone: str
    language: str
    is_site_admin: bool

    @staticmethod
    def resolve_is_site_admin(obj: User) -> bool:
        return obj.is_staff


class MePatch(Schema):
    display_name: str = omittable(min_length=1, max_length=100)
    time_zone: TimeZoneName = omittable()
    language: LanguageCode = omittable()


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get("/me", response={200: MeOut, **errors()}, summary="The signed-in user")
def me(request: HttpRequest) -> User:
    return _me(request)


@router.patch("/me", response={200: MeOut, **errors(400, 403, 422)}, summary="Change your name, time zone or language")
def update_me(request: HttpRequest, payload: MePatch) -> User:
    return services.update_profile(user=_me(request), data=payload.dict(exclude_unset=True))
