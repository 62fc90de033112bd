"""SCIM 2.0 provisioning (RFC 7643/7644) at /scim/v2/, on django-scim2.

The library does the protocol (routing, list/filter/search, pagination, PATCH op parsing
entry points, error bodies, discovery documents); this module maps the SCIM User resource
onto our user:

- ``userName`` is the work e-mail address (Entra ID sends the UPN, Okta the login; both
  are the address). The domain rule of sign-up applies (``email_domain_verdict``).
- ``name.givenName``/``familyName``, ``displayName`` → names (the person's own choice wins
  unless IDENTITY_PROVIDER_NAMES_WIN); the enterprise extension's ``department`` →
  department (matched case-insensitively, created on first sight).
- ``active: false`` and DELETE deactivate at once (``user_deactivate``): a leaver's shares
  and reports stay; deleting personal data is a separate, deliberate act.
- Every change is validated completely before anything is written, so a refused request
  (bad token, unknown attribute, malformed JSON, wrong domain) changes nothing.

Authentication: ``Authorization: Bearer <token>``, tokens created and revoked in the
admin, stored as SHA-256 hashes (``ScimToken``). Session cookies are never accepted here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django_scim import constants, exceptions
from django_scim import views as scim_views
from django_scim.adapters import SCIMUser

from ..models import User
from .domains import email_domain_verdict
from .leavers import user_deactivate, user_reactivate
from .names import clean_name
from .profiles import DirectoryProfile, user_profile_apply
from .scim_auth import MAX_RESULTS

ENTERPRISE = constants.SchemaURI.ENTERPRISE_USER
CORE = constants.SchemaURI.USER
# Core User attributes (RFC 7643 §4.1) we accept and ignore: refusing them would break
# Entra ID's and Okta's default mappings.
IGNORED_CORE = {
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
    "password",
}
IGNORED_ENTERPRISE = {
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "manager",
}


# --- The User resource ---------------------------------------------------------------------


def _bool(value: Any, attribute: str) -> bool:
    """Entra ID sends "True"/"False" strings in PATCH operations (documented quirk)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise exceptions.BadRequestError(
        f'"{attribute}" must be true or false', scim_type="invalidValue"
    )


def _text(value: Any, attribute: str) -> str:
    if value is not None and not isinstance(value, str | list):
        raise exceptions.BadRequestError(f'"{attribute}" must be text', scim_type="invalidValue")
    try:
        return clean_name(value)
    except ValueError:
        raise exceptions.BadRequestError(
            f'"{attribute}" has control characters', scim_type="invalidValue"
        ) from None


def _primary_email(value: Any) -> str:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise exceptions.BadRequestError('"emails" must be a list', scim_type="invalidValue")
    ranked = sorted(value, key=lambda e: (not e.get("primary"), e.get("type") != "work"))
    return str(ranked[0].get("value") or "") if ranked else ""


class _Changes:
    """Validated changes to one user, applied only when all are valid."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value


# attribute, optional [value filter], optional .sub-attribute (RFC 7644 §3.5.2 "path")
_PATH = re.compile(r"([A-Za-z$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?")


def _split_path(path: str) -> tuple[str, str | None]:
    """(attribute, sub-attribute) with the schema URN removed; enterprise attributes
    come back as ("enterprise", name)."""
    path = path.strip()
    if path.lower() == ENTERPRISE.lower():
        return "enterprise", None
    if path.lower().startswith(ENTERPRISE.lower() + ":"):
        return "enterprise", path[len(ENTERPRISE) + 1 :]
    if path.lower().startswith(CORE.lower() + ":"):
        path = path[len(CORE) + 1 :]
    match = _PATH.fullmatch(path)
    if match is None:
        raise exceptions.BadRequestError(f'Cannot read the path "{path}"', scim_type="invalidPath")
    attribute, value_filter, sub = match.group(1), match.group(2), match.group(3)
    if attribute.lower() == "emails" and value_filter is not None:
        wanted = re.fullmatch(
            r'\s*(type\s+eq\s+"work"|primary\s+eq\s+true)\s*', value_filter, re.IGNORECASE
        )
        if wanted is None:
            return "#ignored", None  # we keep one address: the work/primary one
    return attribute, sub


class ScimUser(SCIMUser):
    """Our User resource (see module docstring)."""

    id_field = "pk"
    obj: User

    @property
    def display_name(self) -> str:
        return self.obj.display_name or f"{self.obj.first_name} {self.obj.last_name}".strip()

    @property
    def emails(self) -> list[dict[str, Any]]:
        return [{"value": self.obj.email, "primary": True, "type": "work"}]

    @property
    def meta(self) -> dict[str, Any]:
        return {
            "resourceType": self.resource_type,
            "created": self.obj.date_joined.isoformat(),
            "lastModified": (self.obj.deactivated_at or self.obj.date_joined).isoformat(),
            "location": self.location,
        }

    def to_dict(self) -> dict[str, Any]:
        user = self.obj
        return {
            "schemas": [CORE, ENTERPRISE],
            "id": str(user.pk),
            "externalId": user.scim_external_id or None,
            "userName": user.username,
            "name": {
                "givenName": user.first_name,
                "familyName": user.last_name,
                "formatted": f"{user.first_name} {user.last_name}".strip(),
            },
            "displayName": self.display_name,
            "emails": self.emails,
            "active": user.is_active,
            ENTERPRISE: {"department": user.department.name if user.department is not None else ""},
            "meta": self.meta,
        }

    # Reading a request ---------------------------------------------------------------

    def _read_attribute(
        self, changes: _Changes, attribute: str, sub: str | None, value: Any
    ) -> None:
        key = attribute.lower()
        if key == "username":
            if not isinstance(value, str) or not value.strip():
                raise exceptions.BadRequestError(
                    '"userName" must be text', scim_type="invalidValue"
                )
            changes.set("username", _text(value, "userName").lower()[:150])
        elif key == "emails":
            changes.set("email", str(value or "") if sub else _primary_email(value))
        elif key == "externalid":
            changes.set("scim_external_id", str(value or "")[:254])
        elif key == "displayname":
            changes.set("display_name", _text(value, "displayName"))
        elif key == "active":
            changes.set("active", _bool(value, "active"))
        elif key == "name" and sub is None:
            if not isinstance(value, dict):
                raise exceptions.BadRequestError(
                    '"name" must be an object', scim_type="invalidValue"
                )
            for name_sub, name_value in value.items():
                self._read_attribute(changes, "name", name_sub, name_value)
        elif key == "name" and sub is not None:
            field = {"givenname": "first_name", "familyname": "last_name"}.get(sub.lower())
            if field:
                changes.set(field, _text(value, f"name.{sub}"))
            elif sub.lower() not in (
                "formatted",
                "middlename",
                "honorificprefix",
                "honorificsuffix",
            ):
                raise exceptions.BadRequestError(
                    f'Unknown attribute "name.{sub}"', scim_type="invalidPath"
                )
        elif key == "enterprise" or attribute == ENTERPRISE:
            if sub is None:
                if not isinstance(value, dict):
                    raise exceptions.BadRequestError(
                        "The enterprise extension must be an object", scim_type="invalidValue"
                    )
                for ext_sub, ext_value in value.items():
                    self._read_attribute(changes, "enterprise", ext_sub, ext_value)
            elif sub == "department":
                changes.set("department", _text(value, "department"))
            elif sub.split(".")[0] not in IGNORED_ENTERPRISE:
                raise exceptions.BadRequestError(
                    f'Unknown attribute "{sub}"', scim_type="invalidPath"
                )
        elif attribute in IGNORED_CORE or key in ("schemas", "id", "meta", "#ignored"):
            return
        else:
            raise exceptions.BadRequestError(
                f'Unknown attribute "{attribute}"', scim_type="invalidPath"
            )

    def validate_dict(self, d: dict) -> None:
        if not isinstance(d, dict):
            raise exceptions.BadRequestError(
                "The body must be a JSON object", scim_type="invalidSyntax"
            )
        if CORE not in (d.get("schemas") or []):
            raise exceptions.BadRequestError(
                f'"schemas" must include {CORE}', scim_type="invalidSyntax"
            )

    def from_dict(self, d: dict) -> None:
        """POST/PUT: the whole resource. Attributes not sent are left as they are."""
        changes = _Changes()
        for attribute, value in d.items():
            self._read_attribute(changes, attribute, None, value)
        if "username" not in changes.values:
            raise exceptions.BadRequestError('"userName" is required', scim_type="invalidValue")
        changes.values.setdefault("email", changes.values["username"])
        self._changes = changes

    def handle_operations(self, operations: list) -> None:
        """PATCH (RFC 7644 §3.5.2): add/replace/remove with or without a path, in the
        shapes Entra ID and Okta send."""
        if not isinstance(operations, list):
            raise exceptions.BadRequestError(
                '"Operations" must be a list', scim_type="invalidSyntax"
            )
        changes = _Changes()
        for operation in operations:
            if not isinstance(operation, dict):
                raise exceptions.BadRequestError(
                    "Each operation must be an object", scim_type="invalidSyntax"
                )
            op = str(operation.get("op", "")).lower()
            path = operation.get("path")
            value = operation.get("value")
            if op not in ("add", "replace", "remove"):
                raise exceptions.BadRequestError(
                    f'Unknown op "{operation.get("op")}"', scim_type="invalidSyntax"
                )
            if op == "remove":
                if not path:
                    raise exceptions.BadRequestError(
                        '"remove" needs a "path"', scim_type="noTarget"
                    )
                attribute, sub = _split_path(path)
                if attribute.lower() in ("username", "emails", "active", "externalid"):
                    raise exceptions.BadRequestError(
                        f'"{path}" cannot be removed', scim_type="mutability"
                    )
                self._read_attribute(changes, attribute, sub, "")
            elif path:
                attribute, sub = _split_path(path)
                self._read_attribute(changes, attribute, sub, value)
            elif isinstance(value, dict):
                for key, item in value.items():
                    attribute, sub = _split_path(key)
                    self._read_attribute(changes, attribute, sub, item)
            else:
                raise exceptions.BadRequestError(
                    "An operation without a path needs an object value", scim_type="invalidValue"
                )
        self._changes = changes
        self.save()

    # Writing -------------------------------------------------------------------------

    def save(self) -> None:
        values = dict(self._changes.values)
        user: User = self.obj
        if user.pk is None:
            user = self.obj = self._adopt_or_new(values)
        is_new = user.pk is None
        if "email" in values:
            verdict = email_domain_verdict(values["email"])
            if not verdict.allowed:
                raise exceptions.BadRequestError(verdict.message, scim_type="invalidValue")
            email = verdict.email.lower()
            taken = User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists() or (
                EmailAddress.objects.filter(email__iexact=email).exclude(user_id=user.pk).exists()
            )
            if taken:
                raise exceptions.IntegrityError(
                    "The e-mail address is in use", scim_type="uniqueness"
                )
            user.email = email
        if "username" in values:
            if (
                User.objects.filter(username__iexact=values["username"])
                .exclude(pk=user.pk)
                .exists()
            ):
                raise exceptions.IntegrityError(
                    "A user with this userName exists", scim_type="uniqueness"
                )
            user.username = values["username"]
        if "scim_external_id" in values:
            user.scim_external_id = values["scim_external_id"]
        active = values.get("active")
        profile = DirectoryProfile(
            first_name=values.get("first_name"),
            last_name=values.get("last_name"),
            display_name=values.get("display_name"),
            department=values.get("department"),
        )
        with transaction.atomic():
            if is_new:
                user.set_unusable_password()
                user.is_active = active is not False
                user_profile_apply(user=user, profile=profile, save=False)
                try:
                    user.save()
                except IntegrityError:
                    raise exceptions.IntegrityError(
                        "A user with this userName exists", scim_type="uniqueness"
                    ) from None
            else:
                user.save(update_fields=["email", "username", "scim_external_id"])
                user_profile_apply(user=user, profile=profile)
            if "email" in values:
                EmailAddress.objects.filter(user=user).exclude(email=user.email).delete()
                EmailAddress.objects.update_or_create(
                    user=user, email=user.email, defaults={"verified": True, "primary": True}
                )
            if not is_new and active is False:
                user_deactivate(user=user, source="scim")
            elif not is_new and active is True:
                user_reactivate(user=user, source="scim")

    @staticmethod
    def _adopt_or_new(values: dict) -> User:
        """A POST for someone who already signed up with a password: the company
        directory takes the account over (linking it) instead of failing with a
        conflict, so existing ambassadors keep their history. An account another SCIM
        client already manages is a conflict."""
        email = str(values.get("email", "")).lower()
        existing = User.objects.filter(email__iexact=email).first() if email else None
        if existing is None:
            return User()
        if existing.scim_external_id:
            raise exceptions.IntegrityError(
                "A user with this userName exists", scim_type="uniqueness"
            )
        return existing

    def delete(self) -> None:
        """DELETE deactivates (see module docstring)."""
        user_deactivate(user=self.obj, source="scim")


# --- Views ---------------------------------------------------------------------------------


class ScimUsersView(scim_views.UsersView):
    """The library's view with a numeric id lookup (a malformed id is a 404, not a 500)
    and a counted, paged list (the library would load every user to count them)."""

    def get_object(self) -> User:
        uuid = self.kwargs.get(self.lookup_url_kwarg) or ""
        if not uuid.isdigit():
            raise exceptions.NotFoundError(uuid)
        user = User.objects.select_related("department").filter(pk=int(uuid)).first()
        if user is None:
            raise exceptions.NotFoundError(uuid)
        return user

    def get_many(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("filter")
        if query:
            return self._search(request, query, *self._page(request))
        qs = User.objects.select_related("department").order_by("pk")
        return self._build_response(request, qs, *self._page(request))

    def _build_response(
        self, request: HttpRequest, qs: Iterable[User], start: int, count: int | None
    ) -> HttpResponse:
        count = max(0, min(count if count is not None else MAX_RESULTS, MAX_RESULTS))
        if isinstance(qs, QuerySet):
            total = qs.count()
            page = list(qs[start - 1 : start - 1 + count]) if count else []
        else:
            rows = list(qs)
            total = len(rows)
            page = rows[start - 1 : start - 1 + count]
        doc = {
            "schemas": [constants.SchemaURI.LIST_RESPONSE],
            "totalResults": total,
            "itemsPerPage": len(page),
            "startIndex": start,
            "Resources": [self.scim_adapter(user, request=request).to_dict() for user in page],
        }
        return HttpResponse(json.dumps(doc), content_type=constants.SCIM_CONTENT_TYPE)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with transaction.atomic():
            return super().post(request, *args, **kwargs)

    def put(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with transaction.atomic():
            return super().put(request, *args, **kwargs)
