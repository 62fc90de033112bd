"""Leavers. Deactivation from any source (the admin's action, SCIM ``active: false`` or
DELETE, an identity provider) goes through ``user_deactivate``: access ends at once and no
programme mail goes out any more.

Why it holds: every request re-loads the user and Django's ``ModelBackend`` (which allauth's
backend extends) treats an inactive user as signed out, so an open browser loses access on
its next click; we also delete the person's stored sessions so nothing lingers. Mail: every
sender selects recipients through ``Ambassador.objects.active()``, which requires an active
user, and a claimed but unsent digest or alert is checked again at send time.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from ..models import User

logger = logging.getLogger(__name__)

SESSION_SCAN_CHUNK = 2000


def user_sessions_end(*, user_ids: set[int]) -> int:
    """Delete the stored (database) sessions of these users; returns how many. Sessions
    are opaque, so this reads each unexpired one: a chunked scan, fine for deactivations
    (rare) and bounded in memory."""
    if not user_ids:
        return 0
    wanted = {str(pk) for pk in user_ids}
    doomed: list[str] = []
    sessions = Session.objects.filter(expire_date__gt=timezone.now()).only(
        "session_key", "session_data"
    )
    for session in sessions.iterator(chunk_size=SESSION_SCAN_CHUNK):
        data = session.get_decoded()  # a corrupt session decodes to {}
        if str(data.get("_auth_user_id", "")) in wanted:
            doomed.append(session.session_key)
    Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


def user_deactivate(*, user: User, source: str) -> bool:
    """Deactivate a leaver. `source` ("admin", "scim", "sso") is logged. Returns False when
    the user was already inactive (idempotent: sessions are still ended)."""
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, is_active=True).update(
            is_active=False, deactivated_at=timezone.now()
        )
    user.is_active = False
    ended = user_sessions_end(user_ids={user.pk})
    logger.info("User %s deactivated by %s; %s sessions ended", user.pk, source, ended)
    return bool(changed)


def user_reactivate(*, user: User, source: str) -> bool:
    """Undo a deactivation (a returning employee, a SCIM ``active: true``)."""
    changed = User.objects.filter(pk=user.pk, is_active=False).update(
        is_active=True, deactivated_at=None
    )
    user.is_active = True
    user.deactivated_at = None
    if changed:
        logger.info("User %s reactivated by %s", user.pk, source)
    return bool(changed)
