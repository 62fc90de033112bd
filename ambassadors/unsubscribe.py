"""One-click unsubscribe from the weekly digest (RFC 8058).

Tokens are signed, not stored, and never expire: a link in a digest from last year must still
work. Rotating SECRET_KEY (with the old key in SECRET_KEY_FALLBACKS) keeps old links working.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Ambassador

SALT = "ambassadors.unsubscribe.digest"


class InvalidUnsubscribeToken(Exception):
    """The link was cut off or changed; we cannot tell whose it is."""


def unsubscribe_token(*, ambassador_id: int) -> str:
    return signing.dumps(ambassador_id, salt=SALT, compress=False)


def unsubscribe_url(*, ambassador_id: int) -> str:
    return _url_prefix() + unsubscribe_token(ambassador_id=ambassador_id) + "/"


def _url_prefix() -> str:
    """reverse() once per process, not once per e-mail (tokens need no quoting: base64 and
    colons)."""
    global _prefix
    if _prefix is None or _prefix[0] != settings.SITE_URL:
        path = reverse("ambassadors:unsubscribe", args=["TOKEN"])
        _prefix = (settings.SITE_URL, settings.SITE_URL + path.removesuffix("TOKEN/"))
    return _prefix[1]


_prefix: tuple[str, str] | None = None


def unsubscribe_ambassador_id(*, token: str) -> int:
    """No ``max_age``: digests in old mailboxes keep working."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise InvalidUnsubscribeToken from exc
    if not isinstance(value, int):
        raise InvalidUnsubscribeToken
    return value


def ambassador_unsubscribe(*, ambassador: Ambassador) -> bool:
    """Stops weekly digests only (urgent e-mails and the account stay). Idempotent: returns
    whether anything changed."""
    changed = Ambassador.objects.filter(pk=ambassador.pk, digest_enabled=True).update(
        digest_enabled=False
    )
    ambassador.digest_enabled = False
    return bool(changed)


# Urgent e-mails (urgent items and crisis alerts) -------------------------------------------

URGENT_SALT = "ambassadors.unsubscribe.urgent"


def urgent_unsubscribe_token(*, ambassador_id: int) -> str:
    """A different salt from the digest's: one link never stops the other kind of e-mail."""
    return signing.dumps(ambassador_id, salt=URGENT_SALT, compress=False)


def urgent_unsubscribe_url(*, ambassador_id: int) -> str:
    path = reverse("ambassadors:unsubscribe_urgent", args=["TOKEN"]).removesuffix("TOKEN/")
    return settings.SITE_URL + path + urgent_unsubscribe_token(ambassador_id=ambassador_id) + "/"


def urgent_unsubscribe_ambassador_id(*, token: str) -> int:
    """No ``max_age``, like the digest's links. Raises ``InvalidUnsubscribeToken``."""
    try:
        value = signing.loads(token, salt=URGENT_SALT)
    except signing.BadSignature as exc:
        raise InvalidUnsubscribeToken from exc
    if not isinstance(value, int):
        raise InvalidUnsubscribeToken
    return value


def ambassador_stop_urgent(*, ambassador: Ambassador) -> bool:
    """Turns urgent e-mails off (the weekly e-mail and the account stay). Alerts a crisis
    marks as must-reach still arrive: their e-mails carry no unsubscribe link. Idempotent:
    returns whether anything changed."""
    changed = Ambassador.objects.filter(pk=ambassador.pk, urgent_alerts=True).update(
        urgent_alerts=False
    )
    ambassador.urgent_alerts = False
    return bool(changed)
