from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceHeartbeat(models.Model):
    """When a background process last showed it was alive ("worker", "beat"): the health
    check calls a process whose heartbeat is too old stale. In the database, not the cache,
    so a flushed or unreachable cache does not make healthy processes look dead."""

    name = models.CharField(_("process"), max_length=20, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("service heartbeat")
        verbose_name_plural = _("service heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {self.seen_at:%Y-%m-%d %H:%M:%S}"


class BouncedAddress(models.Model):
    """An address mail could not be delivered to: refused by our mail server at send time
    (permanent SMTP answers) or reported by the e-mail provider's webhook. One row per address
    (lower case); ``suppressed_at`` is set once the rule in bounces.py stops mail to it."""

    class Kind(models.TextChoices):
        HARD = "hard", _("hard bounce")
        SOFT = "soft", _("soft bounce")
        COMPLAINT = "complaint", _("marked as spam")

    email = models.EmailField(_("address"), max_length=254, unique=True)
    hard_count = models.PositiveIntegerField(_("hard bounces"), default=0)
    soft_count = models.PositiveIntegerField(_("soft bounces in a row"), default=0)
    complaint_count = models.PositiveIntegerField(_("spam complaints"), default=0)
    last_kind = models.CharField(_("last"), max_length=10, choices=Kind.choices)
    last_reason = models.CharField(_("reason"), max_length=500, blank=True)
    last_source = models.CharField(_("reported by"), max_length=30, blank=True)
    first_at = models.DateTimeField(_("first"))
    last_at = models.DateTimeField(_("last"))
    suppressed_at = models.DateTimeField(_("mail stopped"), null=True, blank=True)

    class Meta:
        ordering = ["-last_at"]
        verbose_name = _("bouncing address")
        verbose_name_plural = _("bouncing addresses")

    def __str__(self) -> str:
        return self.email
