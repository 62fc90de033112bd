from django.db import models
from django.utils.translation import gettext_lazy as _


class DailySalt(models.Model):
    """The random salt of one day for visitor hashes and /s/ rate-limit keys
    (ambassadors/tracking/salts.py). Deleted once the day is over, so a stored hash can never be
    recomputed, not even by someone holding SECRET_KEY and a copy of the database."""

    day = models.DateField(_("day"), primary_key=True)
    salt = models.BinaryField(max_length=32, editable=False)

    class Meta:
        verbose_name = _("daily salt")
        verbose_name_plural = _("daily salts")

    def __str__(self) -> str:
        return self.day.isoformat()
