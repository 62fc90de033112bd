"""Weekly digests, sending: rendering a digest (``DigestRenderer``), sending a batch exactly
once through the claim → send → record skeleton of ``mail/delivery.py``
(``digest_batch_send``), test copies, and comms' explicit resend of ``unknown`` deliveries.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from ...models import (
    Ambassador,
    DeliveryStatus,
    DigestDelivery,
    DigestRun,
    User,
)
from ...shutdown import SendingInterrupted
from ..delivery import (
    BatchResult,
    RecordResult,
    claim_token,
    deliveries_record,
    deliveries_send,
    messages_send,
    run_finish_if_done,
)
from ..messages import EmailRenderer, contact, with_contact
from ..unsubscribe import unsubscribe_url
from .schedule import (
    digest_recipients,
    digests_paused,
    site_with_pause,
)
from .selection import (
    Digest,
    RunNumbers,
    digest_preview,
    digests_build,
)


def _numbers(language: str, shares: int, clicks: int, rank: int | None) -> tuple[str, str]:
    """Someone's own numbers as (text, html)."""
    context = {"shares": shares, "clicks": clicks, "rank": rank}
    with translation.override(language):
        return (
            render_to_string("email/digest/_numbers.txt", context).strip(),
            render_to_string("email/digest/_numbers.html", context),
        )


class DigestRenderer:
    """Renders the digests of one batch: each distinct set of posts once per language, each
    person's own numbers once per distinct value, then names and links filled in."""

    def __init__(self) -> None:
        self.emails = EmailRenderer("digest")
        self._numbers: dict[tuple, tuple[str, str]] = {}
        self.preferences_url = settings.SITE_URL + reverse("ambassadors:preferences")

    def numbers(self, digest: Digest, language: str) -> tuple[str, str]:
        key = (language, digest.shares, digest.clicks, digest.rank)
        if key not in self._numbers:
            self._numbers[key] = _numbers(*key)
        return self._numbers[key]

    def message(self, digest: Digest, test_to: str | None = None) -> EmailMultiAlternatives:
        """A test copy for comms gets no List-Unsubscribe header and no real unsubscribe link:
        clicking it must not unsubscribe the person whose digest it shows."""
        ambassador = digest.ambassador
        language = ambassador.language
        preferences = self.preferences_url
        headers = {"Auto-Submitted": "auto-generated"}
        if test_to:
            unsubscribe = preferences
        else:
            unsubscribe = unsubscribe_url(ambassador_id=ambassador.pk)
            headers |= {
                "List-Unsubscribe": f"<{self.emails.mark('unsubscribe_url')}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Precedence": "bulk",
            }
        email, name = contact(ambassador)
        numbers_text, numbers_html = self.numbers(digest, language)
        context = {
            "digest": digest,
            "portal_url": settings.SITE_URL + "/",
            "preferences_url": preferences,
            "company_name": settings.COMPANY_NAME,
            "is_test": bool(test_to),
        }
        return self.emails.render(
            shape=(bool(test_to), tuple(digest.items), tuple(digest.most_shared)),
            language=language,
            context=context,
            fill={
                "name": (name, escape(name)),
                "unsubscribe_url": (unsubscribe, escape(unsubscribe)),
                "numbers": (numbers_text, numbers_html),
            },
            to=[test_to or email],
            headers=headers,
        )


def digest_message(
    *, digest: Digest, test_to: str | None = None, renderer: DigestRenderer | None = None
) -> EmailMultiAlternatives:
    """The digest as an e-mail in the reader's language (a batch passes its shared renderer)."""
    return (renderer or DigestRenderer()).message(digest, test_to=test_to)


def digest_send_test(*, ambassador: Ambassador, to: str) -> bool:
    """Comms send themselves the digest this person would get. No delivery is recorded."""
    message = digest_message(digest=digest_preview(ambassador=ambassador), test_to=to)
    return bool(get_connection().send_messages([message]))


# Sending a batch ----------------------------------------------------------------------------


def digest_batch_send(
    *,
    run_id: int | None,
    period: str,
    ambassador_ids: Sequence[int],
    numbers: dict | None = None,
    attempt: int = 1,
    final_attempt: bool = False,
    now: datetime | None = None,
) -> BatchResult:
    """Claim, send, mark, for one batch. Safe to run twice, or twice at once.

    Nobody with nothing new is claimed (no e-mail, no row). The claim is one insert whose
    conflicts are ignored; only rows carrying this execution's token are sent. A temporary
    SMTP error releases what was not handed over and raises ``TransientMailError`` so the task
    retries with back-off; on the final attempt those are recorded as failed instead.
    """
    now = now or timezone.now()
    ids = list(dict.fromkeys(ambassador_ids))
    site = site_with_pause()
    existing = dict(
        DigestDelivery.objects.filter(period=period, ambassador_id__in=ids).values_list(
            "ambassador_id", "run_id"
        )
    )
    ambassadors: list[Ambassador] = []
    if site.digests_enabled and not digests_paused(site):
        ambassadors = [
            ambassador
            for ambassador in with_contact(digest_recipients().filter(pk__in=ids))
            if ambassador.pk not in existing
        ]
    run_numbers = RunNumbers.from_json(numbers) if numbers else None
    with_news = [
        digest
        for digest in digests_build(ambassadors=ambassadors, now=now, numbers=run_numbers)
        if digest.has_news
    ]
    news_ids = {digest.ambassador.pk for digest in with_news}
    skipped = 0
    if attempt == 1:
        # Rows this run made earlier (a redelivered message) were counted when made.
        skipped = sum(1 for pk in ids if pk not in news_ids and existing.get(pk, -1) != run_id)

    def run_counters(recorded: RecordResult) -> None:
        if run_id is not None:
            DigestRun.objects.filter(pk=run_id).update(
                sent=F("sent") + recorded.sent,
                failed=F("failed") + recorded.failed,
                skipped=F("skipped") + skipped,
            )
            run_finish_if_done(run_id=run_id)

    renderer = DigestRenderer()
    by_id = {digest.ambassador.pk: digest for digest in with_news}
    result = deliveries_send(
        model=DigestDelivery,
        ambassador_ids=list(by_id),
        fields={"period": period, "run_id": run_id},
        scope={"period": period, "ambassador_id__in": ids},
        build=lambda pk: renderer.message(by_id[pk]),
        now=now,
        attempt=attempt,
        final_attempt=final_attempt,
        on_recorded=run_counters,
    )
    return replace(result, skipped=skipped)


def digest_run_resend_unknown(*, run_id: int, by: User, now: datetime | None = None) -> int:
    """Comms' explicit choice to send again to the people of a run whose delivery is
    ``unknown`` (a worker died before recording whether the mail server took it). Some may get
    the week's e-mail twice; that is why it is never automatic.

    Their rows move from ``unknown`` to ``claimed`` under a new token in ONE update, so a
    second press (or two comms members at once) finds nobody left: each person is resent at
    most once per press. The run's history records who did it and for how many. The sending
    itself happens in ``digest_resend_claimed`` after commit. Returns how many were claimed.
    """
    from ...models import DigestRunEvent
    from ...tasks import digest_resend

    now = now or timezone.now()
    token = claim_token()
    with transaction.atomic():
        count = DigestDelivery.objects.filter(run_id=run_id, status=DeliveryStatus.UNKNOWN).update(
            status=DeliveryStatus.CLAIMED,
            claim=token,
            claimed_at=now,
            error="",
            attempts=F("attempts") + 1,
        )
        if count:
            DigestRun.objects.filter(pk=run_id).update(
                unknown=F("unknown") - count, finished_at=None
            )
            DigestRunEvent.objects.create(
                run_id=run_id,
                actor=by,
                at=now,
                action=DigestRunEvent.Action.RESEND_UNKNOWN,
                count=count,
            )
            transaction.on_commit(lambda: digest_resend.delay(run_id, str(token)))
    return count


def digest_resend_claimed(*, run_id: int, token: str, now: datetime | None = None) -> BatchResult:
    """Send the rows claimed by ``digest_run_resend_unknown``. Safe to run twice, or twice at
    once: the execution first swaps the claim token for its own in one update, so only one
    execution gets each row. A temporary SMTP error is final here (recorded as failed with
    the reason, shown to comms): a resend is a manual, one-off action. Someone with nothing
    to send any more loses the row (counted as "nothing new"), as in a normal run. A worker
    that is stopping puts the rows it did not send back under ``token`` and raises
    ``SendingInterrupted``: the requeued task sends exactly those."""
    now = now or timezone.now()
    mine = claim_token()
    original = uuid.UUID(str(token))
    taken = DigestDelivery.objects.filter(
        run_id=run_id, claim=token, status=DeliveryStatus.CLAIMED
    ).update(claim=mine)
    if not taken:
        return BatchResult()
    rows = dict(
        DigestDelivery.objects.filter(claim=mine, status=DeliveryStatus.CLAIMED).values_list(
            "ambassador_id", "period"
        )
    )
    renderer = DigestRenderer()
    sent = failed = skipped = 0
    for period in sorted(set(rows.values())):
        ids = [pk for pk, p in rows.items() if p == period]
        ambassadors = list(with_contact(digest_recipients().filter(pk__in=ids)))
        digests = {
            d.ambassador.pk: d
            for d in digests_build(ambassadors=ambassadors, now=now, resend_period=period)
            if d.has_news
        }
        scope = {"run_id": run_id, "period": period}

        def build(pk: int, found: dict[int, Digest] = digests) -> EmailMultiAlternatives:
            return renderer.message(found[pk])

        outcome = messages_send(keys=list(digests), build=build)
        with transaction.atomic():
            gone = (
                DigestDelivery.objects.filter(claim=mine, status=DeliveryStatus.CLAIMED, **scope)
                .exclude(ambassador_id__in=list(digests))
                .delete()[0]
            )
            if outcome.interrupted:
                # The worker is stopping: what was not handed over goes back under the token
                # the queued task carries, so its redelivery sends exactly those.
                DigestDelivery.objects.filter(
                    claim=mine, status=DeliveryStatus.CLAIMED, ambassador_id__in=outcome.pending
                ).update(claim=original)
                outcome.pending = []
            recorded = deliveries_record(
                model=DigestDelivery, token=mine, scope=scope, outcome=outcome, final_attempt=True
            )
            DigestRun.objects.filter(pk=run_id).update(
                sent=F("sent") + recorded.sent,
                failed=F("failed") + recorded.failed,
                skipped=F("skipped") + gone,
            )
            run_finish_if_done(run_id=run_id)
        sent, failed, skipped = sent + recorded.sent, failed + recorded.failed, skipped + gone
        if outcome.interrupted:
            DigestDelivery.objects.filter(claim=mine, status=DeliveryStatus.CLAIMED).update(
                claim=original
            )
            raise SendingInterrupted("resend paused: the worker is stopping")
    return BatchResult(claimed=taken, sent=sent, failed=failed, skipped=skipped)
