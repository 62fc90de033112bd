"""Slack incoming webhooks and Microsoft Teams workflow webhooks.

Payload shapes follow each service's documented format:
- Slack incoming webhook: a JSON object with ``text`` (the notification fallback) and
  ``blocks`` (header, section in ``mrkdwn``, context, actions with a button); ``&``, ``<``
  and ``>`` are escaped as Slack's formatting rules ask.
  https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/block-kit/blocks
- Teams workflow ("When a Teams webhook request is received"): ``{"type": "message",
  "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl":
  null, "content": <Adaptive Card 1.4>}]}``.
  https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using

Each post is a ``WebhookPost`` row, unique per (webhook, update) and (webhook, item), claimed
``pending → sending`` by one conditional update before the HTTP request: a second task, a
redelivered message or a retry after success can never post twice. 429 and 5xx answers
(and network errors) put the row back to ``pending`` and the task retries with back-off,
honouring ``Retry-After``; other answers fail for good. Webhook URLs are secrets: they are
never logged, never put in errors or task arguments, and shown masked.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Channel, CrisisUpdate, Item, Webhook, WebhookPost
from ..models.crisis import mask_url as mask_url  # re-exported: the rule lives with the model

log = logging.getLogger(__name__)

SLACK_HOSTS = ("hooks.slack.com",)
# Power Automate / Logic Apps hosts that Teams workflows hand out.
TEAMS_HOST_SUFFIXES = (".logic.azure.com", ".powerplatform.com", ".powerautomate.com")
TIMEOUT_SECONDS = 10
PostStatus = WebhookPost.Status


class WebhookAddressError(ValueError):
    """The address is not a Slack or Teams webhook we may post to; the message says why."""


def webhook_url_check(*, kind: str, url: str) -> str:
    """The stripped address, or ``WebhookAddressError``. Production accepts only https to the
    service's own hosts; ``WEBHOOK_EXTRA_HOSTS`` (a setting) adds hosts such as a proxy or a
    local test server, over http too."""
    url = url.strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host and host in settings.WEBHOOK_EXTRA_HOSTS and parts.scheme in ("http", "https"):
        return url
    if parts.scheme != "https" or not host or parts.username or parts.password:
        raise WebhookAddressError(_("Use the https address the service gave you."))
    if kind == Webhook.Kind.SLACK and host not in SLACK_HOSTS:
        raise WebhookAddressError(
            _("A Slack webhook address starts with https://hooks.slack.com/.")
        )
    if kind == Webhook.Kind.TEAMS and not host.endswith(TEAMS_HOST_SUFFIXES):
        raise WebhookAddressError(
            _(
                "Use the address of a Teams workflow. It ends in logic.azure.com or in "
                "powerplatform.com."
            )
        )
    return url


# --- Messages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """What a post says, in the webhook's language."""

    title: str
    label: str
    text: str
    note: str
    url: str
    button: str


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(post: Post) -> dict:
    heading = f"{post.label}: {post.title}" if post.label else post.title
    return {
        "text": _slack_escape(f"{heading}\n{post.note}"),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": heading[:150]}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _slack_escape(post.text)[:3000]},
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(post.note)}]},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": post.button[:75]},
                        "url": post.url,
                    }
                ],
            },
        ],
    }


def teams_payload(post: Post) -> dict:
    heading = f"{post.label}: {post.title}" if post.label else post.title
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": heading,
                "weight": "Bolder",
                "size": "Large",
                "wrap": True,
            },
            {"type": "TextBlock", "text": post.text, "wrap": True},
            {"type": "TextBlock", "text": post.note, "isSubtle": True, "wrap": True},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": post.button, "url": post.url}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def _update_post(update: CrisisUpdate, language: str) -> Post:
    from .alerts import alert_entry

    entry = alert_entry(update=update, language=language, total=update.crisis.updates.count())
    with translation.override(language):
        if entry["internal_only"]:
            note = _("For you, please do not share.")
            button = _("Read more")
        else:
            note = _("If you can, please help share it.")
            button = _("Open and share")
        return Post(
            title=entry["title"],
            label=entry["label"],
            text=entry["text"],
            note=note,
            url=entry["url"],
            button=button,
        )


def _item_post(item: Item) -> Post:
    from ..mail.digests.selection import item_summary, item_url

    with translation.override(item.language):
        internal = item.internal_only
        return Post(
            title=item.title,
            label="",
            text=unescape(item_summary(item.body, words=60)),
            note=_("For you, please do not share.")
            if internal
            else _("New to share on the ambassador portal."),
            url=item_url(item.slug),
            button=_("Read more") if internal else _("Open and share"),
        )


def post_payload(post_row: WebhookPost) -> dict:
    hook = post_row.webhook
    if post_row.update is not None:
        post = _update_post(post_row.update, hook.language)
    elif post_row.item is not None:
        post = _item_post(post_row.item)
    else:
        raise ValueError(f"webhook post {post_row.pk} has neither an update nor an item")
    return slack_payload(post) if hook.kind == Webhook.Kind.SLACK else teams_payload(post)


# --- Queueing -------------------------------------------------------------------------------


def webhook_posts_create(*, update: CrisisUpdate) -> list[int]:
    """One pending row per active webhook of the crisis's channels; ids of rows still pending
    (so a second sweep hands over only what has not been posted)."""
    kinds = [k for k in (Channel.SLACK, Channel.TEAMS) if k in update.crisis.channels]
    hooks = list(
        Webhook.objects.filter(is_active=True, kind__in=kinds).values_list("pk", flat=True)
    )
    WebhookPost.objects.bulk_create(
        [WebhookPost(webhook_id=pk, update=update) for pk in hooks], ignore_conflicts=True
    )
    return list(
        WebhookPost.objects.filter(
            update=update, status=PostStatus.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )


# An item older than this when first seen is not news any more (e.g. a webhook added today
# does not post last month's items).
NEW_ITEM_WINDOW = timedelta(days=1)


def new_item_posts_create(*, now: datetime | None = None) -> list[int]:
    """For webhooks with "also post every new item": live items in the webhook's language
    that went live after the webhook was added (and within a day), crisis updates excepted
    (they are posted as updates). Held items (content pause) wait, as ``live()`` says."""
    now = now or timezone.now()
    created: list[WebhookPost] = []
    for hook in Webhook.objects.filter(is_active=True, post_new_items=True):
        since = max(hook.created_at, now - NEW_ITEM_WINDOW)
        items = (
            Item.objects.live(now)
            .filter(
                language=hook.language,
                publish_at__gte=since,
                crisis_update_en__isnull=True,
                crisis_update_nl__isnull=True,
            )
            .exclude(webhook_posts__webhook=hook)
        )
        created += [WebhookPost(webhook=hook, item=item) for item in items]
    WebhookPost.objects.bulk_create(created, ignore_conflicts=True)
    return list(
        WebhookPost.objects.filter(
            item__isnull=False, status=PostStatus.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )


# --- Sending --------------------------------------------------------------------------------


@dataclass
class PostResult:
    """``retry_after`` (seconds) is set when the service asked us to come back later."""

    status: str
    retry_after: float | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _http_post(url: str, payload: dict) -> tuple[int, float | None]:
    """(status code, Retry-After seconds). Network trouble raises OSError; nothing here puts
    the URL into an error message."""
    data = json.dumps(payload).encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme was checked on save
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        retry_after = error.headers.get("Retry-After") if error.headers else None
        try:
            seconds = float(retry_after) if retry_after else None
        except ValueError:
            seconds = None
        return error.code, seconds


def webhook_post_send(*, post_id: int, final_attempt: bool = False) -> PostResult:
    """Claim, post, record one row. Returns the new status; ``retry_after`` says when the
    caller (the task) should try again."""
    now = timezone.now()
    claimed = WebhookPost.objects.filter(pk=post_id, status=PostStatus.PENDING).update(
        status=PostStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        status = WebhookPost.objects.filter(pk=post_id).values_list("status", flat=True).first()
        return PostResult(status=status or "missing")
    row = WebhookPost.objects.select_related(
        "webhook", "update__crisis", "update__item_en", "update__item_nl", "item"
    ).get(pk=post_id)
    if not row.webhook.is_active or (
        row.update is not None and row.update.alerts_cancelled_at is not None
    ):
        WebhookPost.objects.filter(pk=post_id).update(
            status=PostStatus.FAILED, error="Stopped before posting."
        )
        return PostResult(status=PostStatus.FAILED)
    try:
        payload = post_payload(row)
        code, retry_after = _http_post(row.webhook.url, payload)
    except OSError as error:
        code, retry_after, reason = None, None, f"Network error ({type(error).__name__})"
    else:
        reason = f"HTTP {code}"
    if code is not None and 200 <= code < 300:
        WebhookPost.objects.filter(pk=post_id).update(
            status=PostStatus.SENT, sent_at=timezone.now(), error=""
        )
        return PostResult(status=PostStatus.SENT)
    transient = code is None or code == 429 or code >= 500
    log.warning("webhook %s post %s: %s", row.webhook_id, post_id, reason)
    if transient and not final_attempt:
        WebhookPost.objects.filter(pk=post_id).update(status=PostStatus.PENDING, error=reason)
        return PostResult(status=PostStatus.PENDING, retry_after=retry_after or 0.0)
    WebhookPost.objects.filter(pk=post_id).update(status=PostStatus.FAILED, error=reason)
    return PostResult(status=PostStatus.FAILED)


def webhook_retry_delay(*, retries: int, retry_after: float | None) -> float:
    """Exponential back-off from ``WEBHOOK_RETRY_BASE_SECONDS``, at most 10 minutes, never
    sooner than the service's Retry-After."""
    backoff = min(settings.WEBHOOK_RETRY_BASE_SECONDS * (2**retries), 600)
    return max(backoff, min(retry_after or 0, 3600))


def webhook_posts_mark_unknown(*, older_than: timedelta, now: datetime | None = None) -> int:
    """A post left ``sending`` belongs to a worker that died mid-request: the service may have
    it. It becomes ``unknown`` and is never posted again."""
    cutoff = (now or timezone.now()) - older_than
    return WebhookPost.objects.filter(status=PostStatus.SENDING, claimed_at__lt=cutoff).update(
        status=PostStatus.UNKNOWN,
        error="The worker stopped before it could record whether the post arrived.",
    )
