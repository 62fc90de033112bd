from __future__ import annotations

from datetime import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Language, Network
from .people import Ambassador, Department, Topic


class ItemQuerySet(models.QuerySet):
    def live(self, now: datetime | None = None) -> Self:
        """Published, publish_at reached, not expired: computed here, never flipped by a task.

        While a content pause is on (crisis mode), ordinary items scheduled after it began
        are held back too; urgent items (crisis updates among them) never are. This is the
        one place that rule lives, so the feed, item pages, sharing, digests and search all
        obey it. The pause table holds a handful of rows: the NOT EXISTS costs nothing."""
        from .crisis import ContentPause

        now = now or timezone.now()
        held = ContentPause.objects.filter(
            resumed_at__isnull=True, started_at__lt=OuterRef("publish_at")
        )
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            Q(is_urgent=True) | ~Exists(held),
            status=Item.Status.PUBLISHED,
            publish_at__lte=now,
        )

    def for_ambassador(self, ambassador: Ambassador) -> Self:
        """Items whose audience includes the ambassador (empty audience = everyone), in
        their content languages. EXISTS subqueries keep one row per item."""
        audience = Item.audience.through.objects.filter(item=OuterRef("pk"))
        # Without a department this matches no row (audience rows always have one).
        own = audience.filter(department_id=ambassador.department_id)  # type: ignore[misc]
        return self.filter(~Exists(audience) | Exists(own), language__in=ambassador.languages)


class Item(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    image = models.ImageField(_("image"), upload_to="items/%Y/%m/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=250, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="items", verbose_name=_("topics")
    )
    audience = models.ManyToManyField(
        Department,
        blank=True,
        related_name="items",
        verbose_name=_("audience"),
        help_text=_("Leave empty for everyone."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    is_featured = models.BooleanField(_("featured"), default=False)
    internal_only = models.BooleanField(
        _("for staff only (do not share)"),
        default=False,
        help_text=_("No public page, no share buttons and no tracked links."),
    )
    disclosure = models.CharField(
        _("disclosure line"),
        max_length=100,
        blank=True,
        help_text=_("Leave empty to use the site's disclosure line."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("author"),
    )
    plain_language = models.JSONField(
        _("plain-language report"), default=dict, blank=True, editable=False
    )
    # Urgent alerts: dispatch follows this state, so a broker outage delays but never loses.
    alerts_send_after = models.DateTimeField(null=True, blank=True, editable=False)
    alerts_cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    alerts_done_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a column: the feed sets it on the items of a page (colleagues who shared it).
    colleagues_shared: int

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-created_at"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        permissions = [
            ("publish_item", _("Can write, review and publish items")),
            ("publish_urgent", _("Can publish urgent items without a second reviewer")),
        ]
        indexes = [
            models.Index(fields=["status", "publish_at"]),
            models.Index(fields=["expires_at"]),
            # The feed's top tier: finding urgent and featured items must not scan all.
            models.Index(
                fields=["publish_at"],
                name="item_highlighted_idx",
                condition=Q(is_urgent=True) | Q(is_featured=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_live(self, now: datetime | None = None) -> bool:
        """Status and dates only, without a query (templates call it per card). A content
        pause is applied by ``Item.objects.live()``, which every selector starts from."""
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= now
            and (self.expires_at is None or now < self.expires_at)
        )


class ShareText(models.Model):
    """Suggested words for one network; several per network are offered at random."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="share_texts", verbose_name=_("item")
    )
    network = models.CharField(_("network"), max_length=12, choices=Network.choices)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["network", "pk"]
        verbose_name = _("share text")
        verbose_name_plural = _("share texts")

    def __str__(self) -> str:
        return f"{self.get_network_display()}: {self.text[:40]}"


class ItemEvent(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        SUBMITTED = "submitted", _("Sent for review")
        RETURNED = "returned", _("Sent back")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")
        ARCHIVED = "archived", _("Archived")
        ALERTS_CANCELLED = "alerts_cancelled", _("Urgent e-mails cancelled")

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="events", verbose_name=_("item")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("item event")
        verbose_name_plural = _("item events")

    def __str__(self) -> str:
        return f"{self.item_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class JargonTerm(models.Model):
    """Comms' additions to the shipped word lists; they win over the shipped suggestion."""

    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    term = models.CharField(_("word or phrase"), max_length=80)
    suggestion = models.CharField(_("plainer words"), max_length=160)

    class Meta:
        ordering = ["language", "term"]
        verbose_name = _("jargon term")
        verbose_name_plural = _("jargon terms")
        constraints = [
            models.UniqueConstraint(fields=["language", "term"], name="unique_jargon_term")
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.suggestion}"
