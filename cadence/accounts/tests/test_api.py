from __future__ import annotations

import pytest
from django.utils import timezone

from cadence.accounts import services
from cadence.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_me_with_a_personal_token(client):
    user = UserFactory(email="ada@example.org", time_zone="Asia/Tokyo")
    issued = services.create_api_token(user=user, name="script")
    response = client.get("/api/v1/me", **_bearer(issued.secret))
    assert response.status_code == 200
    assert response.json()["email"] == "ada@example.org"
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_me_with_a_session(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/api/v1/me").json()["id"] == user.pk


def test_anonymous_gets_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "Authentication required" in response.json()["detail"]


def test_revoked_or_wrong_token_is_401(client):
    user = UserFactory()
    issued = services.create_api_token(user=user, name="old")
    services.revoke_api_token(actor=user, token=issued.token, now=timezone.now())
    assert client.get("/api/v1/me", **_bearer(issued.secret)).status_code == 401
    assert client.get("/api/v1/me", **_bearer("cdn_not-a-real-token")).status_code == 401


def test_token_of_deactivated_user_is_401(client):
    user = UserFactory()
    issued = services.create_api_token(user=user, name="script")
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me", **_bearer(issued.secret)).status_code == 401


def test_patch_me_changes_time_zone(client):
    user = UserFactory()
    issued = services.create_api_token(user=user, name="script")
    response = client.patch(
        "/api/v1/me", {"time_zone": "Africa/Nairobi"}, content_type="application/json", **_bearer(issued.secret)
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.time_zone == "Africa/Nairobi"


def test_patch_me_with_unknown_time_zone_is_422_and_changes_nothing(client):
    user = UserFactory(time_zone="UTC")
    issued = services.create_api_token(user=user, name="script")
    response = client.patch(
        "/api/v1/me", {"time_zone": "Nowhere/Here"}, content_type="application/json", **_bearer(issued.secret)
    )
    assert response.status_code == 422
    assert "not a known time zone" in response.json()["detail"]
    user.refresh_from_db()
    assert user.time_zone == "UTC"


def test_malformed_json_is_400_not_500(client):
    user = UserFactory()
    issued = services.create_api_token(user=user, name="script")
    response = client.patch("/api/v1/me", "{not json", content_type="application/json", **_bearer(issued.secret))
    assert response.status_code == 400
    assert "detail" in response.json()


def test_token_names_are_checked():
    user = UserFactory()
    with pytest.raises(services.InvalidInput):
        services.create_api_token(user=user, name="   ")
    assert not user.api_tokens.exists()


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/courses" in schema.json()["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_api_docs_use_our_own_static_files_not_a_cdn(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html
