from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryStatus
from .items import Item
from .people import Ambassador


class DigestRun(models.Model):
    """One per dispatcher tick that has work; counts are updated as batches finish."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    planned = models.PositiveIntegerField(_("planned"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    unknown = models.PositiveIntegerField(_("unknown"), default=0)
    skipped = models.PositiveIntegerField(_("nothing new"), default=0)
    periods = models.CharField(_("weeks"), max_length=40, blank=True, help_text="2026-W48")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class Delivery(models.Model):
    """One e-mail to one person: claimed before sending, marked after (mail/delivery.py)."""

    status = models.CharField(
        _("status"),
        max_length=8,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.CLAIMED,
    )
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Set by the one task execution that inserted the row: a redelivered or concurrent
    # execution of the same batch reads back only its own claims, so it never sends twice.
    claim = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class DigestDelivery(Delivery):
    ambassador = models.ForeignKey(
        Ambassador,
        on_delete=models.CASCADE,
        related_name="digest_deliveries",
        verbose_name=_("ambassador"),
    )
    period = models.CharField(_("week"), max_length=8, help_text="2026-W48")
    run = models.ForeignKey(
        DigestRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("run"),
    )

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["ambassador", "period"], name="unique_digest_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.ambassador_id} {self.period} {self.status}"


class AlertDelivery(Delivery):
    ambassador = models.ForeignKey(
        Ambassador,
        on_delete=models.CASCADE,
        related_name="alert_deliveries",
        verbose_name=_("ambassador"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="alert_deliveries", verbose_name=_("item")
    )

    class Meta:
        verbose_name = _("urgent e-mail delivery")
        verbose_name_plural = _("urgent e-mail deliveries")
        constraints = [
            models.UniqueConstraint(fields=["ambassador", "item"], name="unique_alert_per_item")
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.ambassador_id} {self.item_id} {self.status}"


class DigestRunEvent(models.Model):
    """What comms did to a run (its history), e.g. sending to the people marked unknown."""

    class Action(models.TextChoices):
        RESEND_UNKNOWN = "resend_unknown", _("sent again to those marked unknown")

    run = models.ForeignKey(
        DigestRun, on_delete=models.CASCADE, related_name="events", verbose_name=_("run")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    count = models.PositiveIntegerField(_("people"), default=0)

    class Meta:
        ordering = ["at"]
        verbose_name = _("digest run event")
        verbose_name_plural = _("digest run events")

    def __str__(self) -> str:
        return f"{self.run_id} {self.action} {self.count}"
