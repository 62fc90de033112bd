"""E-mail domains as the DNS sees them.

A domain can be written in Unicode (``bücher.example``) or in its ASCII "punycode" form
(``xn--bcher-kva.example``); both name the same mailboxes. We compare domains in one normal
form, IDNA 2008 with UTS #46 mapping (the form the DNS resolves), so a look-alike
(``bucher.example``, a Cyrillic "е" in ``example``) never matches. On top of that, one
mailbox must have one spelling in our database (the unique e-mail rule compares text):
an address is accepted only in the spelling of ``ALLOWED_EMAIL_DOMAINS``, and the refusal
tells the person which spelling to use. Sign-up, SSO and SCIM all use ``email_domain_verdict``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import idna
from django.conf import settings
from django.utils.translation import gettext as _


def domain_normal_form(domain: str) -> str | None:
    """The ASCII (A-label) form of `domain`, lower case, without a trailing dot; None when
    `domain` is not a valid IDNA 2008 host name (such an address cannot receive mail)."""
    domain = domain.strip().rstrip(".")
    if not domain:
        return None
    try:
        return idna.encode(domain, uts46=True, transitional=False).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        return None


def _is_ascii_spelling(domain: str) -> bool:
    return domain.isascii()


def _display_spelling(domain: str) -> str:
    return unicodedata.normalize("NFC", domain.strip().rstrip(".")).lower()


@dataclass(frozen=True)
class DomainVerdict:
    allowed: bool
    email: str  # the address to store: domain in NFC lower case; "" when refused
    message: str  # why not, for the person; "" when allowed


def allowed_domains() -> list[str]:
    return [_display_spelling(d) for d in settings.ALLOWED_EMAIL_DOMAINS if d.strip()]


def domain_refusal_message() -> str:
    return _("Only work addresses can join. Use an address ending in: %(domains)s.") % {
        "domains": ", ".join(f"@{d}" for d in allowed_domains())
    }


def email_domain_verdict(email: str) -> DomainVerdict:
    """May this address join? Same rule for sign-up, SSO and SCIM (see module docstring)."""
    local, at, domain = (email or "").strip().rpartition("@")
    normal = domain_normal_form(domain) if at and local else None
    if normal is None:
        return DomainVerdict(False, "", domain_refusal_message())
    for configured in allowed_domains():
        if domain_normal_form(configured) != normal:
            continue
        if _is_ascii_spelling(domain) != _is_ascii_spelling(configured):
            message = _(
                "This is the right company, but write the part after @ as %(domain)s "
                "(the same address, spelled the way we use it)."
            ) % {"domain": configured}
            return DomainVerdict(False, "", message)
        return DomainVerdict(True, f"{local}@{_display_spelling(domain)}", "")
    return DomainVerdict(False, "", domain_refusal_message())


def email_domain_allowed(email: str) -> bool:
    return email_domain_verdict(email).allowed
