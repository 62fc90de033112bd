"""SCIM bearer tokens: created and revoked by the admin, stored as SHA-256 hashes, checked
on every SCIM request (django-scim2's AUTH_CHECK_MIDDLEWARE). Kept apart from scim.py
because django-scim2 imports these while its own views module loads."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django_scim import constants
from django_scim.models import SCIMServiceProviderConfig

from ..models import ScimToken, User

MAX_RESULTS = 200
TOKEN_PREFIX = "scim_"  # noqa: S105 - a marker, not a secret


# --- Tokens ------------------------------------------------------------------------------


def scim_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def scim_token_create(*, name: str, by: User | None) -> tuple[ScimToken, str]:
    """A new token; returns (row, the token itself). The token is not stored and cannot be
    shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ScimToken.objects.create(
        name=name, token_hash=scim_token_hash(token), prefix=token[:12], created_by=by
    )
    return row, token


def scim_token_revoke(*, token: ScimToken) -> None:
    ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def scim_token_check(header: str) -> ScimToken | None:
    """The usable token for an ``Authorization`` header value, or None."""
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        return None
    row = ScimToken.objects.usable().filter(token_hash=scim_token_hash(token)).first()
    if row is not None and (
        row.last_used_at is None or timezone.now() - row.last_used_at > timedelta(seconds=60)
    ):
        ScimToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row


def scim_error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    body = {"schemas": [constants.SchemaURI.ERROR], "detail": detail, "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    return HttpResponse(json.dumps(body), content_type=constants.SCIM_CONTENT_TYPE, status=status)


class ScimBearerAuth:
    """django-scim2's AUTH_CHECK_MIDDLEWARE: wraps each SCIM view. Only a bearer token
    counts; a signed-in browser session is ignored."""

    def __init__(self, get_response: Callable[..., HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        token = scim_token_check(request.headers.get("Authorization", ""))
        if token is None:
            response = scim_error(401, "A valid bearer token is required.")
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
            return response
        # Which token called, for the view (a plain attribute Django does not declare).
        request.scim_token = token  # type: ignore[attr-defined]
        return self.get_response(request, *args, **kwargs)


class ScimServiceProviderConfig(SCIMServiceProviderConfig):
    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["filter"] = {"supported": True, "maxResults": MAX_RESULTS}
        data["changePassword"] = {"supported": False}
        data["bulk"] = {"supported": False, "maxOperations": 0, "maxPayloadSize": 0}
        return data
