"""Names people are shown by. Plain text only: a name is later written into e-mails, page
titles and CSV files, so control characters (including line breaks and bidi overrides that
could reorder an e-mail line) are refused, never silently stripped."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from ..models import User  # models import this module

NAME_MAX_LENGTH = 100


def name_problem(value: str) -> str | None:
    """Why `value` cannot be a name, or None. Refuses Unicode categories Cc (control),
    Cf (format: bidi overrides, zero-width joiners used to spoof) except the ZWJ/ZWNJ some
    scripts need, Cs/Co/Cn (surrogate, private, unassigned), and line/paragraph separators."""
    for char in value:
        category = unicodedata.category(char)
        if char in "\u200c\u200d":
            continue
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return str(_("Use letters, spaces and punctuation only."))
    if len(value) > NAME_MAX_LENGTH:
        return str(
            _("Use at most %(count)d characters.") % {"count": NAME_MAX_LENGTH},
        )
    return None


def validate_person_name(value: str) -> None:
    """Model/form validator. Raises ValidationError (code "name")."""
    problem = name_problem(value)
    if problem:
        raise ValidationError(problem, code="name")


def clean_name(value: object) -> str:
    """A name from an identity provider (SAML attribute, OIDC claim, SCIM value): list
    values take their first item, runs of spaces become one space. Raises ValueError
    for a name that `name_problem` refuses, so providers cannot inject one either."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if value is None:
        return ""
    problem = name_problem(str(value).strip(" "))
    if problem:
        raise ValueError(problem)
    return " ".join(str(value).split())


def shown_name(*, display_name: str, first_name: str, last_name: str, email: str) -> str:
    """What others see: the chosen display name, else the full name, else the e-mail
    address (staff still need to tell people apart)."""
    full = f"{first_name} {last_name}".strip()
    return display_name or full or email


def public_name(*, display_name: str, first_name: str, last_name: str) -> str:
    """A name safe to show to other ambassadors (never an e-mail address); may be ''."""
    return display_name or f"{first_name} {last_name}".strip()


def user_display(user: User) -> str:
    """allauth's ``ACCOUNT_USER_DISPLAY`` ("Signed in as …"): the person's name, never
    their login name."""
    return getattr(user, "shown_name", "") or getattr(user, "email", "")
