"""One-click unsubscribe from the weekly digest (RFC 8058).

Tokens are signed, not stored, and never expire: a link in a digest from last year must still
work. Rotating SECRET_KEY (with the old key in SECRET_KEY_FALLBACKS) keeps old links working.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from ..models import Ambassador

SALT = "ambassadors.unsubscribe.digest"


class InvalidUnsubscribeToken(Exception):
    """The link was cut off or changed; we cannot tell whose it is."""


def _dumps(ambassador_id: int, salt: str) -> str:
    return signing.dumps(ambassador_id, salt=salt, compress=False)


def _loads(token: str, salt: str) -> int:
    """No ``max_age``: links in old mailboxes keep working. Raises ``InvalidUnsubscribeToken``."""
    try:
        value = signing.loads(token, salt=salt)
    except signing.BadSignature as exc:
        raise InvalidUnsubscribeToken from exc
    if not isinstance(value, int):
        raise InvalidUnsubscribeToken
    return value


_prefixes: dict[str, tuple[str, str]] = {}


def _url_prefix(url_name: str) -> str:
    """reverse() once per process and URL, not once per e-mail (tokens need no quoting:
    base64 and colons)."""
    cached = _prefixes.get(url_name)
    if cached is None or cached[0] != settings.SITE_URL:
        path = reverse(url_name, args=["TOKEN"]).removesuffix("TOKEN/")
        cached = _prefixes[url_name] = (settings.SITE_URL, settings.SITE_URL + path)
    return cached[1]


def _switch_off(ambassador: Ambassador, field: str) -> bool:
    changed = Ambassador.objects.filter(pk=ambassador.pk, **{field: True}).update(**{field: False})
    setattr(ambassador, field, False)
    return bool(changed)


def unsubscribe_token(*, ambassador_id: int) -> str:
    return _dumps(ambassador_id, SALT)


def unsubscribe_url(*, ambassador_id: int) -> str:
    return (
        _url_prefix("ambassadors:unsubscribe")
        + unsubscribe_token(ambassador_id=ambassador_id)
        + "/"
    )


def unsubscribe_ambassador_id(*, token: str) -> int:
    """No ``max_age``: digests in old mailboxes keep working."""
    return _loads(token, SALT)


def ambassador_unsubscribe(*, ambassador: Ambassador) -> bool:
    """Stops weekly digests only (urgent e-mails and the account stay). Idempotent: returns
    whether anything changed."""
    return _switch_off(ambassador, "digest_enabled")


# Urgent e-mails (urgent items and crisis alerts) -------------------------------------------

URGENT_SALT = "ambassadors.unsubscribe.urgent"


def urgent_unsubscribe_token(*, ambassador_id: int) -> str:
    """A different salt from the digest's: one link never stops the other kind of e-mail."""
    return _dumps(ambassador_id, URGENT_SALT)


def urgent_unsubscribe_url(*, ambassador_id: int) -> str:
    token = urgent_unsubscribe_token(ambassador_id=ambassador_id)
    return _url_prefix("ambassadors:unsubscribe_urgent") + token + "/"


def urgent_unsubscribe_ambassador_id(*, token: str) -> int:
    """No ``max_age``, like the digest's links. Raises ``InvalidUnsubscribeToken``."""
    return _loads(token, URGENT_SALT)


def ambassador_stop_urgent(*, ambassador: Ambassador) -> bool:
    """Turns urgent e-mails off (the weekly e-mail and the account stay). Alerts a crisis
    marks as must-reach still arrive: their e-mails carry no unsubscribe link. Idempotent:
    returns whether anything changed."""
    return _switch_off(ambassador, "urgent_alerts")
