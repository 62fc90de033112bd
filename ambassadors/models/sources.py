"""Content sources (RSS/Atom feeds comms follow), what they bring in, and watched terms."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Language
from .items import Item
from .people import Topic


class Source(models.Model):
    """A feed polled by beat on its own interval (``ambassadors/sources/polling.py``)."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("feed address"), max_length=1000, unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="sources",
        verbose_name=_("default topics"),
        help_text=_("Drafts made from this source get these topics."),
    )
    is_active = models.BooleanField(
        _("check this source"),
        default=True,
        help_text=_("Switch off to stop checking it. We switch it off when the feed is gone."),
    )
    auto_draft = models.BooleanField(
        _("make drafts automatically"),
        default=False,
        help_text=_("Every new entry becomes a draft item. Nothing is ever published by itself."),
    )
    interval_minutes = models.PositiveIntegerField(
        _("check every (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
    )
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    next_poll_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last problem"), blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_warning = models.TextField(_("last remark"), blank=True, editable=False)
    error_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        indexes = [models.Index(fields=["is_active", "next_poll_at"])]

    def __str__(self) -> str:
        return self.name


class SourceEntryQuerySet(models.QuerySet):
    def newest_first(self) -> Self:
        """By publication date, or the moment we found it when the feed gave none (the
        same key the inbox merges on)."""
        return self.order_by(Coalesce("published_at", "found_at").desc(), "-pk")


class SourceEntry(models.Model):
    """One story from a feed, stored once: ``guid_key`` and ``canonical_url`` are unique
    over all sources (see ``sources/parsing.py`` for how they are made)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        DRAFTED = "drafted", _("Drafted")
        DISMISSED = "dismissed", _("Dismissed")

    class Alert(models.TextChoices):
        NONE = "", _("No alert")
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="entries", verbose_name=_("source")
    )
    guid = models.CharField(
        _("GUID"), max_length=600, blank=True, help_text=_("As the feed gave it.")
    )
    # Dedup keys, unique over all sources: see sources/parsing.py (guid_key, canonical_url).
    guid_key = models.CharField(max_length=600, blank=True)
    canonical_url = models.CharField(max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    picture = models.URLField(_("picture"), max_length=1000, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    found_at = models.DateTimeField(_("found"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    item = models.ForeignKey(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="source_entries"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    alert = models.CharField(max_length=8, choices=Alert.choices, default=Alert.NONE, blank=True)
    alert_terms = models.JSONField(default=list, blank=True)
    alert_token = models.UUIDField(null=True, blank=True)

    objects = SourceEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("source entry")
        verbose_name_plural = _("source entries")
        constraints = [
            models.UniqueConstraint(
                fields=["guid_key"], condition=~Q(guid_key=""), name="unique_entry_guid"
            ),
            models.UniqueConstraint(
                fields=["canonical_url"], condition=~Q(canonical_url=""), name="unique_entry_url"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "found_at"]),
            models.Index(fields=["alert"], name="entry_alert_idx", condition=~Q(alert="")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def sort_at(self) -> datetime:
        return self.published_at or self.found_at


class WatchTerm(models.Model):
    """A word comms watch for in new entries: whole words, any case, in one language or all."""

    term = models.CharField(_("word or phrase"), max_length=100)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_("Leave empty to watch in every language."),
    )
    is_alert = models.BooleanField(
        _("e-mail comms at once"),
        default=False,
        help_text=_("For possible trouble: comms get an e-mail when a new entry mentions it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term", "language"]
        verbose_name = _("watched term")
        verbose_name_plural = _("watched terms")
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("term"), "language", name="unique_watch_term"
            )
        ]

    def __str__(self) -> str:
        return self.term
