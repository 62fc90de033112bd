from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScimTokenQuerySet(models.QuerySet):
    def usable(self) -> Self:
        return self.filter(revoked_at__isnull=True)


class ScimToken(models.Model):
    """A bearer token for one SCIM client (Entra ID, Okta...). Only a SHA-256 hash is
    stored; the token itself is shown once, when the admin creates it."""

    name = models.CharField(_("name"), max_length=100, help_text=_("For example Entra ID."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("SCIM token")
        verbose_name_plural = _("SCIM tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
