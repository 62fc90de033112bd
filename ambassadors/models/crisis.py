"""Crisis communication: prepared scenarios, crises with timestamped updates, the pause of
ordinary content, and the Slack/Teams webhooks that alerts are posted to.

A scenario is dark by construction: it is its own table and no feed, page, e-mail, search or
sitemap reads it. Only activation turns it into a ``Crisis`` whose updates are published as
urgent items (so the feed, item pages, shares and clicks work as for any item).
"""

from __future__ import annotations

from typing import Self
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .digests import Delivery
from .items import Item
from .people import Ambassador, Department


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


def default_channels() -> list[str]:
    return [Channel.EMAIL, Channel.SLACK, Channel.TEAMS]


class CrisisScenario(models.Model):
    """Words prepared ahead of time, with ``{placeholders}`` filled in on the day."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")

    name = models.CharField(_("name"), max_length=120, help_text=_("For example: outage."))
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True, help_text=_("Markdown."))
    share_text_en = models.TextField(_("share text (English)"), blank=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    body_nl = models.TextField(_("text (Dutch)"), blank=True, help_text=_("Markdown."))
    share_text_nl = models.TextField(_("share text (Dutch)"), blank=True)
    audience = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        verbose_name=_("audience"),
        help_text=_("Leave empty for everyone."),
    )
    internal_only = models.BooleanField(
        _("for staff only (do not share)"),
        default=True,
        help_text=_("No public page and no share buttons."),
    )
    channels = models.JSONField(_("channels"), default=default_channels, blank=True)
    must_reach = models.BooleanField(
        _("must reach everyone"),
        default=False,
        help_text=_("Also e-mails people who turned urgent e-mails off."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("crisis scenario")
        verbose_name_plural = _("crisis scenarios")

    def __str__(self) -> str:
        return self.name


class Crisis(models.Model):
    """An activated crisis. ``pending`` waits for a second comms member (no lead there)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second person")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Resolved")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    scenario = models.ForeignKey(
        CrisisScenario,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="crises",
        verbose_name=_("scenario"),
    )
    audience = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("audience")
    )
    internal_only = models.BooleanField(_("for staff only (do not share)"), default=True)
    channels = models.JSONField(_("channels"), default=default_channels, blank=True)
    must_reach = models.BooleanField(_("must reach everyone"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    # What the first update will say, kept while a pending crisis waits for a second person.
    draft = models.JSONField(default=dict, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activated by"),
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def title_for(self, language: str) -> str:
        return (self.title_nl if language == "nl" else "") or self.title

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class CrisisUpdate(models.Model):
    """One timestamped message of a crisis, published as one urgent item per language.

    Alerts follow the update's own state like urgent items do: a sweeper sends the updates
    whose ``alerts_send_after`` has passed and sets ``alerts_done_at``.
    """

    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="updates", verbose_name=_("crisis")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text_en = models.TextField(_("text (English)"), blank=True)
    text_nl = models.TextField(_("text (Dutch)"), blank=True)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    item_en = models.OneToOneField(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="crisis_update_en"
    )
    item_nl = models.OneToOneField(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="crisis_update_nl"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    alert = models.BooleanField(_("alert people"), default=True)
    alerts_send_after = models.DateTimeField(null=True, blank=True, editable=False)
    alerts_cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    alerts_done_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    # Not a column: the studio's crisis page sets it per update it lists.
    can_cancel: bool

    class Meta:
        ordering = ["-number"]
        verbose_name = _("crisis update")
        verbose_name_plural = _("crisis updates")
        constraints = [
            models.UniqueConstraint(fields=["crisis", "number"], name="unique_crisis_update")
        ]

    def __str__(self) -> str:
        return f"{self.crisis_id} #{self.number}"

    def text_for(self, language: str) -> str:
        """The reader's language when both versions exist, else the one there is."""
        own = self.text_nl if language == "nl" else self.text_en
        return own or self.text_en or self.text_nl

    def item_for(self, language: str) -> Item | None:
        own = self.item_nl if language == "nl" else self.item_en
        return own or self.item_en or self.item_nl


class CrisisAlertDelivery(Delivery):
    """One alert e-mail per (person, update): the unique constraint stops a second one."""

    ambassador = models.ForeignKey(
        Ambassador,
        on_delete=models.CASCADE,
        related_name="crisis_alert_deliveries",
        verbose_name=_("ambassador"),
    )
    update = models.ForeignKey(
        CrisisUpdate,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("update"),
    )

    class Meta:
        verbose_name = _("crisis e-mail delivery")
        verbose_name_plural = _("crisis e-mail deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["ambassador", "update"], name="unique_crisis_alert_per_update"
            )
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.ambassador_id} {self.update_id} {self.status}"


class ContentPauseQuerySet(models.QuerySet):
    def active(self) -> Self:
        return self.filter(resumed_at__isnull=True)


class ContentPause(models.Model):
    """While a pause is on, ordinary items scheduled after its start stay off the feed and
    weekly e-mails wait (the rule lives in ``Item.objects.live()`` and the digest dispatcher).
    Urgent items, and so crisis updates, are never held."""

    started_at = models.DateTimeField(_("paused at"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paused by"),
    )
    reason = models.CharField(_("why"), max_length=200, blank=True)
    crisis = models.ForeignKey(
        Crisis,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pauses",
        verbose_name=_("crisis"),
    )
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resumed by"),
    )
    # True while on, NULL once resumed: the unique constraint allows one pause on at a time.
    is_on = models.BooleanField(null=True, default=True, editable=False)

    objects = ContentPauseQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("content pause")
        verbose_name_plural = _("content pauses")
        constraints = [
            # At most one pause is on at a time (NULLs are distinct, so resumed ones are free).
            models.UniqueConstraint(fields=["is_on"], name="one_content_pause_on")
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class Webhook(models.Model):
    """A Slack incoming webhook or a Teams workflow webhook. The URL is a secret: whoever has
    it can post to the channel, so it is never logged and only shown masked."""

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"

    name = models.CharField(_("name"), max_length=120, help_text=_("For example: #general."))
    kind = models.CharField(_("service"), max_length=8, choices=Kind.choices)
    url = models.URLField(_("webhook address"), max_length=1000)
    language = models.CharField(
        _("language"), max_length=2, choices=[("en", _("English")), ("nl", _("Dutch"))]
    )
    post_new_items = models.BooleanField(_("also post every new item"), default=False)
    is_active = models.BooleanField(_("on"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)


def mask_url(url: str) -> str:
    """``https://hooks.slack.com/…k9Qz``: enough to tell two webhooks apart, useless to post.
    Lives beside the model (not in ``crisis/webhooks.py``) so models import no services."""
    parts = urlsplit(url)
    tail = url.rstrip("/")[-4:] if len(url) > 12 else ""
    return f"{parts.scheme}://{parts.hostname or ''}/…{tail}"


class WebhookPost(models.Model):
    """One post of one update (or one new item) to one webhook. The unique constraints make
    a second post impossible; ``sending`` left behind by a killed worker becomes ``unknown``
    and is never posted again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown")

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="posts", verbose_name=_("webhook")
    )
    update = models.ForeignKey(
        CrisisUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_posts",
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="webhook_posts"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook post")
        verbose_name_plural = _("webhook posts")
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "update"],
                condition=Q(update__isnull=False),
                name="unique_webhook_post_per_update",
            ),
            models.UniqueConstraint(
                fields=["webhook", "item"],
                condition=Q(item__isnull=False),
                name="unique_webhook_post_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.webhook_id} {self.update_id or self.item_id} {self.status}"
