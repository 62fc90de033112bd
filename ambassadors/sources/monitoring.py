"""Watched terms: highlighting in the inbox, and the alert e-mail to comms.

A term matches as a whole word (or phrase), in any case: "Acme" matches "ACME's plan" and
"acme." but not "Acmeville". Terms without a language are watched in every language.

Alerts are batched and idempotent: polling marks entries that mention an alert term as
``pending``; ``term_alerts_send`` claims all pending entries in one conditional UPDATE with
a fresh token (a second worker claims nothing), sends one e-mail per comms member over one
SMTP connection, then marks them ``sent``. When sending fails the claim is released, so the
next run tries again; a worker killed mid-send leaves ``sending`` (never resent by itself).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..mail.messages import email_render
from ..models import SourceEntry, WatchTerm

Alert = SourceEntry.Alert


def term_pattern(terms: Iterable[str]) -> re.Pattern | None:
    """One case-insensitive regex for whole-word matches of any of ``terms``; inner spaces
    match any run of white space. Longer terms first, so "Acme Bank" beats "Acme"."""
    parts = sorted({t.strip() for t in terms if t and t.strip()}, key=lambda t: (-len(t), t))
    if not parts:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in term.split()) for term in parts)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@dataclass
class TermIndex:
    """All watched terms, loaded once (one query) and compiled per language."""

    terms: list[WatchTerm]

    @classmethod
    def load(cls) -> TermIndex:
        return cls(terms=list(WatchTerm.objects.all()))

    def _for(self, language: str, *, alert_only: bool) -> list[WatchTerm]:
        return [
            t for t in self.terms if t.language in ("", language) and (t.is_alert or not alert_only)
        ]

    def pattern(self, language: str, *, alert_only: bool = False) -> re.Pattern | None:
        key = (language, alert_only)
        cache = self.__dict__.setdefault("_patterns", {})
        if key not in cache:
            cache[key] = term_pattern(t.term for t in self._for(language, alert_only=alert_only))
        return cache[key]

    def found(self, text: str, language: str, *, alert_only: bool = False) -> list[str]:
        """The watched terms (as comms wrote them) that ``text`` mentions, in term order."""
        terms = self._for(language, alert_only=alert_only)
        pattern = self.pattern(language, alert_only=alert_only)
        if pattern is None:
            return []
        seen = {" ".join(m.group(0).lower().split()) for m in pattern.finditer(text)}
        return [t.term for t in terms if " ".join(t.term.lower().split()) in seen]


def highlight(text: str, pattern: re.Pattern | None) -> SafeString:
    """``text`` escaped, with every match wrapped in ``<mark>``."""
    if pattern is None:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def entry_alert_terms(*, title: str, summary: str, language: str, index: TermIndex) -> list[str]:
    return index.found(f"{title}\n{summary}", language, alert_only=True)


def comms_addresses() -> list[str]:
    """E-mail addresses of active comms staff (permission ``ambassadors.publish_item``
    through a group or directly) whose address does not bounce."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__codename="publish_item")
            | Q(user_permissions__codename="publish_item")
        )
        .exclude(email="")
        .filter(email_undeliverable_at__isnull=True)
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(users))


def term_alerts_send() -> int:
    """Sends every pending alert entry in one e-mail per comms member; returns how many
    entries were reported. Safe to run twice or in parallel (see module docstring)."""
    token = uuid.uuid4()
    claimed = SourceEntry.objects.filter(alert=Alert.PENDING).update(
        alert=Alert.SENDING, alert_token=token
    )
    if not claimed:
        return 0
    entries = list(
        SourceEntry.objects.filter(alert_token=token, alert=Alert.SENDING)
        .select_related("source")
        .newest_first()
    )
    recipients = comms_addresses()
    if not recipients:
        SourceEntry.objects.filter(alert_token=token).update(alert=Alert.SENT)
        return len(entries)
    context = {
        "entries": entries,
        "count": len(entries),
        "terms": sorted({term for e in entries for term in e.alert_terms}, key=str.lower),
        "inbox_url": settings.SITE_URL + reverse("ambassadors:studio_ideas") + "?watched=1",
    }
    try:
        messages = [
            email_render(
                template="source_alert",
                context=context,
                to=[address],
                language=settings.LANGUAGE_CODE,
            )
            for address in recipients
        ]
        with get_connection() as connection:
            connection.send_messages(messages)
    except Exception:
        SourceEntry.objects.filter(alert_token=token, alert=Alert.SENDING).update(
            alert=Alert.PENDING, alert_token=None
        )
        raise
    SourceEntry.objects.filter(alert_token=token, alert=Alert.SENDING).update(alert=Alert.SENT)
    return len(entries)
