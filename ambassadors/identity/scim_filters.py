"""SCIM filters (``userName eq "…"`` and friends) → SQL on our user table."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django_scim.filters import UserFilterQuery

_USERNAME_EQ = re.compile(r'(userName|emails\.value|emails)\s+eq\s+"([^"]*)"', re.IGNORECASE)


class ScimUserFilterQuery(UserFilterQuery):
    attr_map = {
        ("userName", None, None): "username",
        ("emails", "value", None): "email",
        ("emails", None, None): "email",
        ("externalId", None, None): "scim_external_id",
        ("displayName", None, None): "display_name",
        ("name", "givenName", None): "first_name",
        ("name", "familyName", None): "last_name",
        ("active", None, None): "is_active",
    }

    @classmethod
    def search(cls, filter_query: str, request: HttpRequest | None = None) -> Any:
        """userName is case-insensitive (RFC 7643 §4.1.1); we store addresses in lower
        case, so the compared value is lowered too."""
        filter_query = _USERNAME_EQ.sub(
            lambda m: f'{m.group(1)} eq "{m.group(2).lower()}"', filter_query
        )
        return super().search(filter_query, request)
