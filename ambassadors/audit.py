"""The audit trail: an append-only record of every workflow step, override, settings change,
role change and admin edit, with who, when and what changed field by field.

Only services call ``audit_record`` (publishing, revisions, site settings, the admin hooks),
never views, so no path that changes state can forget it. Rows are never updated or deleted
(``AuditEvent.save``/``delete`` and its queryset refuse).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from .models import AuditEvent, Item, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Action = AuditEvent.Action

# Item fields the trail follows, in the order the diff lists them.
ITEM_FIELDS = (
    "title",
    "link",
    "body",
    "image",
    "image_alt",
    "language",
    "translation_of",
    "is_urgent",
    "is_featured",
    "disclosure",
    "publish_at",
    "expires_at",
    "status",
    "author",
)
ITEM_MANY = ("topics", "audience")


def audit_value(value: Any) -> Any:
    """A JSON-ready, exact representation: datetimes keep their seconds (ISO 8601, UTC),
    model instances become their text and primary key, files their stored name."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return f"{value} (#{value.pk})"
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    if isinstance(value, list | tuple | set | frozenset):
        return [audit_value(v) for v in value]
    return str(value)


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{field: {"old": …, "new": …}}`` for every key whose exact value differs.

    Values are compared after ``audit_value``, so 09:00:37 and 09:00:00 differ and an
    unchanged 09:00:37 never shows up as a change (no rounding anywhere)."""
    changes = {}
    for name in after:
        old, new = audit_value(before.get(name)), audit_value(after[name])
        if old != new:
            changes[name] = {"old": old, "new": new}
    return changes


def created_changes(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """For a new object: the fields that were given a value (empty ones say nothing)."""
    return {
        name: {"old": None, "new": value}
        for name, value in snapshot.items()
        if value not in (None, "", [], False)
    }


def item_snapshot(item: Item) -> dict[str, Any]:
    """The followed fields of an item, as audit values (topics and audience sorted by name,
    share texts as "network: text")."""
    snapshot = {name: audit_value(getattr(item, name)) for name in ITEM_FIELDS}
    if item.pk:
        snapshot["topics"] = sorted(str(t) for t in item.topics.all())
        snapshot["audience"] = sorted(str(d) for d in item.audience.all())
        snapshot["share_texts"] = [f"{t.network}: {t.text}" for t in item.share_texts.all()]
    return snapshot


def _actor_label(actor: User | None) -> str:
    if actor is None:
        return ""
    return getattr(actor, "email", "") or str(actor)


def audit_record(
    *,
    actor: User | None,
    action: str,
    item: Item | None = None,
    obj: models.Model | None = None,
    changes: Mapping[str, Mapping[str, Any]] | None = None,
    note: str = "",
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event. ``obj`` is what changed (defaults to ``item``); ``changes`` is the
    output of ``field_changes``. Call it inside the service's transaction, so the event
    exists exactly when the change does."""
    target = obj if obj is not None else item
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        action=action,
        item=item,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_label=str(target)[:250] if target is not None else "",
        changes=dict(changes or {}),
        note=note,
        at=at or timezone.now(),
    )


def _model_field(object_type: str, name: str) -> models.Field[Any, Any] | None:
    """The model's own field ``name``; None for a reverse relation (share_texts) or a name
    the model no longer has."""
    from django.apps import apps

    try:
        field = apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None
    return field if isinstance(field, models.Field) else None


def field_label(object_type: str, name: str) -> str:
    """The field's human name for the audit page, the revision page and the CSV, in the
    active language, with a capital first letter ("Title", "Text"); the stored name only
    for a field the model no longer has."""
    from django.utils.translation import gettext as _

    if name == "share_texts":
        return capfirst(_("share texts"))
    if name == "group":
        return capfirst(_("role"))
    field = _model_field(object_type, name)
    return capfirst(str(field.verbose_name)) if field is not None else name


def _share_text_label(value: Any) -> Any:
    """ "linkedin: text" → "LinkedIn: text" (the network's name)."""
    from .models import Network

    if isinstance(value, str) and ": " in value:
        code, text = value.split(": ", 1)
        if code in Network.values:
            return f"{Network(code).label}: {text}"
    return value


def _datetime_label(value: Any) -> Any:
    """An ISO 8601 audit time in the site's time zone, to the second ("25 Nov 2026 15:00:37")."""
    from django.utils.formats import date_format

    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "SHORT_DATETIME_SECONDS_FORMAT")


def value_display(object_type: str, name: str, value: Any) -> str:
    """One stored audit value as people read it, in the active language: a choice as its
    label ("draft" → "Draft", "nl" → "Dutch"), a time in the site's time zone, share texts
    with the network's name, then ``display`` (yes/no, lists joined, empty as "–"). The
    stored value itself stays exact; this is only how it is shown."""
    field = _model_field(object_type, name)
    if field is not None and field.choices:
        labels = {str(key): str(label) for key, label in field.flatchoices}

        def label(v: Any) -> Any:
            return labels.get(str(v), v) if v not in (None, "") else v

        value = [label(v) for v in value] if isinstance(value, list) else label(value)
    elif isinstance(field, models.DateTimeField) and isinstance(value, str):
        value = _datetime_label(value)
    elif name == "share_texts" and isinstance(value, list):
        value = [_share_text_label(v) for v in value]
    return display(value)


def change_rows(event: AuditEvent) -> list[dict[str, Any]]:
    """The event's changes as rows for a table: ``{"field", "label", "old", "new",
    "old_display", "new_display"}`` (labels and values as ``field_label`` and
    ``value_display`` show them)."""
    return [
        {
            "field": name,
            "label": field_label(event.object_type, name),
            **values,
            "old_display": value_display(event.object_type, name, values.get("old")),
            "new_display": value_display(event.object_type, name, values.get("new")),
        }
        for name, values in event.changes.items()
    ]


def display(value: Any) -> str:
    """One audit value as plain text (lists joined with commas, empty as "–")."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def audit_actions() -> Iterable[tuple[str, StrOrPromise]]:
    return Action.choices
