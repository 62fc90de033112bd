"""Editorial control: the audit trail, pending revisions of live items, notifications and
the private calendar feed tokens (issue 12)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .items import Item

if TYPE_CHECKING:
    from .people import User


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete a recorded audit event."""


class AuditEventQuerySet(models.QuerySet):
    # The only writes after the fact: Django's on_delete=SET_NULL cutting the link to a
    # deleted person or item, and forget_person() replacing a deleted person's name.
    NULLABLE_LINKS = frozenset({"actor", "actor_id", "item", "item_id"})

    def update(self, **kwargs: Any) -> int:
        if (
            kwargs
            and set(kwargs) <= self.NULLABLE_LINKS
            and all(v is None for v in kwargs.values())
        ):
            return super().update(**kwargs)
        raise AuditLogIsAppendOnly("audit events cannot be changed")

    def forget_person(self, user: User) -> int:
        """Privacy (a deleted account): the person's name and address leave the trail; the
        events stay, signed "former user #<id>" so one person's steps still read together."""
        label = f"former user #{user.pk}"
        done = models.QuerySet.update(self.filter(actor_id=user.pk), actor_label=label)
        done += models.QuerySet.update(
            self.filter(object_type="ambassadors.user", object_id=str(user.pk)),
            object_label=label,
        )
        return done

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One step someone took: append-only, written by the services (ambassadors.audit)."""

    class Action(models.TextChoices):
        ITEM_CREATED = "item_created", _("Item created")
        ITEM_EDITED = "item_edited", _("Item edited")
        ITEM_SUBMITTED = "item_submitted", _("Sent for review")
        ITEM_RETURNED = "item_returned", _("Sent back")
        ITEM_APPROVED = "item_approved", _("Approved")
        ITEM_PUBLISHED = "item_published", _("Published")
        ITEM_UNPUBLISHED = "item_unpublished", _("Unpublished")
        ITEM_ARCHIVED = "item_archived", _("Archived")
        ALERTS_CANCELLED = "alerts_cancelled", _("Urgent e-mails stopped")
        OVERRIDE_CORPORATE = "override_corporate", _("Published although hard to read")
        OVERRIDE_URGENT_ALONE = "override_urgent_alone", _("Urgent without a second reviewer")
        REVISION_PROPOSED = "revision_proposed", _("Change waiting for review")
        REVISION_APPROVED = "revision_approved", _("Change approved")
        REVISION_REJECTED = "revision_rejected", _("Change sent back")
        SETTINGS_CHANGED = "settings_changed", _("Settings changed")
        ROLE_CHANGED = "role_changed", _("Role changed")
        ADMIN_EDIT = "admin_edit", _("Changed in the admin")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # Kept when the account is deleted later: the log must still say who it was.
    actor_label = models.CharField(_("by (name)"), max_length=254, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    item = models.ForeignKey(
        Item,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("item"),
    )
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_label = models.CharField(_("object"), max_length=250, blank=True)
    # {"field label": {"old": "…", "new": "…"}}; values are display strings.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class ItemRevision(models.Model):
    """A change to a live item that waits for a second comms member. The live item stays
    as it is until the revision is approved (ambassadors.publishing.revisions)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Sent back")
        WITHDRAWN = "withdrawn", _("Replaced by a newer change")

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("item")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    # Proposed values of the changed fields only, JSON-ready (see publishing/revisions.py).
    proposed = models.JSONField(_("proposed change"), default=dict)
    image = models.ImageField(_("new picture"), upload_to="revisions/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="pending"),
                name="one_pending_revision_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.status} {self.created_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """Something waiting for one person: shown in the in-app inbox and e-mailed in batches."""

    class Kind(models.TextChoices):
        REVIEW_REQUESTED = "review_requested", _("An item waits for your review")
        RETURNED = "returned", _("Your item was sent back")
        APPROVED = "approved", _("Your item was approved")
        PUBLISHED = "published", _("Your item is published")
        SUGGESTION_ACCEPTED = "suggestion_accepted", _("Your suggestion was accepted")
        SUGGESTION_DECLINED = "suggestion_declined", _("Your suggestion was declined")
        REVISION_WAITING = "revision_waiting", _("A change to a live item waits for review")
        REVISION_DECIDED = "revision_decided", _("Your change to a live item was decided")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("for"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # What caused it, e.g. "item:12:submitted:345": the same cause never notifies twice.
    key = models.CharField(_("key"), max_length=120)
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    suggestion = models.ForeignKey(
        "ambassadors.Suggestion", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=254, blank=True)
    subject = models.CharField(_("about"), max_length=250, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_wanted = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="unique_notification")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["recipient"],
                name="notification_email_due_idx",
                condition=models.Q(email_wanted=True, emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.key}"


class NotificationSwitch(models.Model):
    """A kind someone switched off. No row means: on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_switches"
    )
    kind = models.CharField(max_length=32, choices=Notification.Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_notification_switch")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} off"


class CalendarToken(models.Model):
    """The private address of someone's calendar feed. Only a SHA-256 hash is stored;
    resetting it makes the old address stop working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar token of {self.user_id}"
