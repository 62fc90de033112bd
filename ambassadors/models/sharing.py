from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Network
from .items import Item
from .people import Ambassador


class TrackedLink(models.Model):
    """One short, unguessable code per (ambassador, item, network)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    ambassador = models.ForeignKey(
        Ambassador, on_delete=models.CASCADE, related_name="links", verbose_name=_("ambassador")
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="links", verbose_name=_("item")
    )
    network = models.CharField(_("network"), max_length=12, choices=Network.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")
        constraints = [
            models.UniqueConstraint(
                fields=["ambassador", "item", "network"], name="unique_tracked_link"
            )
        ]

    def __str__(self) -> str:
        return self.code


class Share(models.Model):
    """One row per press; reports count distinct (ambassador, item, network) per day."""

    ambassador = models.ForeignKey(
        Ambassador, on_delete=models.CASCADE, related_name="shares", verbose_name=_("ambassador")
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="shares", verbose_name=_("item")
    )
    network = models.CharField(_("network"), max_length=12, choices=Network.choices)
    created_at = models.DateTimeField(_("shared at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    post_url = models.URLField(_("link to the post"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["item", "created_at"]),
            models.Index(fields=["ambassador", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.network} {self.created_at:%Y-%m-%d}"


class Click(models.Model):
    """A visit to a tracked link. visitor_hash = hash(IP + user agent + daily salt): no raw
    IP or user agent is ever stored."""

    link = models.ForeignKey(
        TrackedLink, on_delete=models.CASCADE, related_name="clicks", verbose_name=_("link")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    day = models.DateField(_("day"))
    visitor_hash = models.CharField(max_length=64)
    is_bot = models.BooleanField(_("bot"), default=False)
    is_unique = models.BooleanField(_("unique"), default=False)

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        indexes = [
            models.Index(fields=["at"]),
            models.Index(fields=["link", "day", "visitor_hash"]),
            # reports count the human clicks of a range of days (today's, after the
            # rollups) from this index alone, without reading the rows
            models.Index(fields=["day", "is_bot", "link", "is_unique"], name="click_day"),
        ]

    def __str__(self) -> str:
        return f"{self.link_id} {self.at:%Y-%m-%d %H:%M}"


class ClickDaily(models.Model):
    """Daily totals that outlive the raw clicks after the retention period."""

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="daily")
    day = models.DateField()
    clicks = models.PositiveIntegerField(default=0)
    unique_clicks = models.PositiveIntegerField(default=0)
    bot_clicks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily clicks")
        verbose_name_plural = _("daily clicks")
        constraints = [models.UniqueConstraint(fields=["link", "day"], name="unique_click_day")]
        # reports read the totals of days after the rollups' last day (issue 14)
        indexes = [models.Index(fields=["day"], name="clickdaily_day")]

    def __str__(self) -> str:
        return f"{self.link_id} {self.day}"
