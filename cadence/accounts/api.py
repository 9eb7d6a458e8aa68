from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from cadence.accounts import services
from cadence.accounts.models import User

router = Router(tags=["me"])


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
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    time_zone: str | None = None
    language: str | None = None


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> User:
    return _me(request)


@router.patch("/me", response=MeOut, summary="Change your name, time zone or language")
def update_me(request: HttpRequest, payload: MePatch) -> User:
    return services.update_profile(user=_me(request), data=payload.dict(exclude_unset=True))
