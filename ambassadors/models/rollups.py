from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .items import Item
from .people import Ambassador, Department


class Rollup(models.Model):
    """Shares and clicks added up per day (and per month) at the grains the reports read.

    ``kind`` says which columns are a real key; the others hold 0 / "" ("all"):

    - ``n``: day × network (totals, over time, by network)
    - ``d``: day × department, by people's current department (0: none); moved when
      someone changes department (ambassadors/reporting/rollups/changes.py)
    - ``i``: day × item × network (top items, an item's or a network's page)
    - ``id``: day × item × network × department (departments on an item's page, items
      on a department's page)
    - ``a``: day × ambassador (leaderboard, departments through the ambassador's current
      department, participation)
    - ``ai``: day × ambassador × item × network (my impact, an item's people)

    ``grain`` ``d`` rows cover one local day (TIME_ZONE); ``m`` rows the same numbers
    added up per month (``day`` is the 1st), always the sum of that month's ``d`` rows;
    ``y`` rows per year (``day`` is 1 January), the sum of its ``m`` rows; ``t`` rows the
    totals of every built day (``day`` is a constant, 2000-01-01).
    ``presses`` counts the share rows behind ``shares`` (the all-shares export). Bots never
    count. Rows hold every day up to ``RollupState.built_through``; after it, when
    ``RollupState.open_clicks``, day rows hold the clicks stored so far and no shares (those
    are read from the raw rows). See ambassadors/reporting/rollups/.
    """

    kind = models.CharField(max_length=2)
    grain = models.CharField(max_length=1)
    day = models.DateField()
    # 0 means "all": not a foreign key constraint, but joins work for real rows.
    ambassador = models.ForeignKey(
        Ambassador, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    item = models.ForeignKey(
        Item, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    network = models.CharField(max_length=12, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        default=0,
    )
    shares = models.IntegerField(default=0)
    presses = models.IntegerField(default=0)
    clicks = models.IntegerField(default=0)
    unique_clicks = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily numbers")
        verbose_name_plural = _("daily numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "grain", "day", "ambassador", "item", "network", "department"],
                name="unique_rollup_row",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "grain", "item", "day"], name="rollup_item_day"),
            models.Index(fields=["kind", "grain", "ambassador", "day"], name="rollup_amb_day"),
            # the top of a leaderboard, read in order (ambassadors/reporting/ranking.py)
            models.Index(
                fields=["grain", "day", "-shares", "ambassador"],
                condition=models.Q(kind="a"),
                name="rollup_people_by_shares",
            ),
            models.Index(
                fields=["grain", "day", "-clicks", "ambassador"],
                condition=models.Q(kind="a"),
                name="rollup_people_by_clicks",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.grain} {self.day}"


class RollupState(models.Model):
    """One row: rollups hold every day up to ``built_through`` (local days in
    ``time_zone``; readers ignore the rollups when TIME_ZONE differs), and what the last
    nightly comparison with the raw rows found."""

    built_through = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    # the day rows after built_through hold those days' clicks (added by the click flush as
    # they are stored), not their shares; see ambassadors/reporting/rollups/build.py
    open_clicks = models.BooleanField(_("today's clicks in the rollups"), default=False)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    reconciled_days = models.PositiveIntegerField(default=0)
    repaired_days = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup state")

    def __str__(self) -> str:
        return f"{self.built_through}"


class ReportSubscription(models.Model):
    """A comms member who wants the reports by e-mail, weekly or monthly."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week (on Monday, for the week before)")
        MONTHLY = "monthly", _("Every month (on the 1st, for the month before)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_subscription",
        verbose_name=_("user"),
    )
    frequency = models.CharField(_("how often"), max_length=8, choices=Frequency.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("report e-mail subscription")
        verbose_name_plural = _("report e-mail subscriptions")

    def __str__(self) -> str:
        return f"{self.user_id} {self.frequency}"


class ReportDelivery(models.Model):
    """One report e-mail for one period ("2026-W48" or "2026-11"): claimed before
    sending, so a repeated or concurrent run never sends the same period twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_deliveries"
    )
    period = models.CharField(_("period"), max_length=8)
    status = models.CharField(_("status"), max_length=8, default="claimed")
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report e-mail")
        verbose_name_plural = _("report e-mails")
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="unique_report_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} {self.status}"
