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
