from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import models
from .audit import audit_record, field_changes, field_label, item_snapshot
from .identity.leavers import user_deactivate
from .identity.scim_auth import scim_token_create, scim_token_revoke
from .privacy import user_delete
from .publishing.rules import jargon_cache_clear

AuditAction = models.AuditEvent.Action


def _staff(request: HttpRequest) -> models.User:
    """The signed-in staff member: the admin site lets nobody else in."""
    return cast(models.User, request.user)


if TYPE_CHECKING:
    # What the mixin below is mixed into (ModelAdmin or an inline), for its super() calls.
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class ReadOnlyAdmin(admin.ModelAdmin):
    """To look things up only: rows are written by the services (deleting stays allowed)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AppendOnlyAdmin(ReadOnlyAdmin):
    """History and state written by the services only: nobody adds, changes or deletes a
    row here, not even a superuser."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SuperuserWritesOnly(_AdminBase):
    """Workflow data: only superusers may add, change or delete it here, and their edits
    are audited. Comms (even with a stray permission) can look, never write: the studio's
    services are the one way to change an item's state (issue 12)."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    # Admins that write their own, richer audit event set this.
    audits_itself = False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """A superuser's edit here is an audit event with the changed fields' old and new
        values (an item it touches is linked)."""
        if self.audits_itself or isinstance(self, admin.options.InlineModelAdmin):
            return super().save_model(request, obj, form, change)
        concrete = {f.name: f.attname for f in obj._meta.concrete_fields}
        fields = {concrete[name]: name for name in form.changed_data if name in concrete}
        stored = type(obj).objects.filter(pk=obj.pk).values(*fields).first() if change else None
        super().save_model(request, obj, form, change)
        changes = {
            fields[attname]: values
            for attname, values in field_changes(
                stored or {}, {attname: getattr(obj, attname) for attname in fields}
            ).items()
        }
        if changes:
            item = obj if isinstance(obj, models.Item) else getattr(obj, "item", None)
            audit_record(
                actor=_staff(request),
                action=AuditAction.ADMIN_EDIT,
                item=item if isinstance(item, models.Item) else None,
                obj=obj,
                changes=changes,
            )


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "email",
        "display_name",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "display_name", "first_name", "last_name", "username"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Company directory"),
            {
                "fields": (
                    "display_name",
                    "names_chosen_at",
                    "department",
                    "scim_external_id",
                    "deactivated_at",
                )
            },
        ),
    )
    readonly_fields = ["names_chosen_at", "deactivated_at"]

    ordering = ["email"]
    actions = ["deactivate"]

    ROLE_FIELDS = ("is_active", "is_staff", "is_superuser")

    def _roles(self, user: models.User) -> dict[str, Any]:
        if user.pk is None:
            return {}
        roles = {name: getattr(user, name) for name in self.ROLE_FIELDS}
        roles["groups"] = sorted(user.groups.values_list("name", flat=True))
        return roles

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Roles before the save, for the audit trail (save_related); unticking "active" is a
        deactivation like the action: sessions end too."""
        stored = models.User.objects.filter(pk=obj.pk).first() if change else None
        # Kept on the request until save_related, which runs after the groups are saved.
        request._roles_before = self._roles(stored) if stored else {}  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_deactivate(user=obj, source="admin")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        changes = field_changes(getattr(request, "_roles_before", {}), self._roles(form.instance))
        if changes:
            audit_record(
                actor=_staff(request),
                action=AuditAction.ROLE_CHANGED,
                obj=form.instance,
                changes=changes,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        user_delete(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Same as a person deleting their own account: anonymise, never cascade away
        the shares and links others still click."""
        for user in queryset:
            user_delete(user=user)

    @admin.action(description=_("Deactivate (a leaver): access ends at once"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        leaving = list(queryset.exclude(pk=request.user.pk).filter(is_active=True))
        count = sum(user_deactivate(user=user, source="admin") for user in leaving)
        for user in leaving:
            audit_record(
                actor=_staff(request),
                action=AuditAction.ROLE_CHANGED,
                obj=user,
                changes={"is_active": {"old": True, "new": False}},
            )
        self.message_user(
            request,
            ngettext("%(count)d account deactivated.", "%(count)d accounts deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(models.Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_nl", "slug"]
    search_fields = ["name", "name_nl", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_nl"]
    search_fields = ["name", "name_nl"]


@admin.register(models.Guidelines)
class GuidelinesAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at"]
    ordering = ["-version"]


@admin.register(models.Ambassador)
class AmbassadorAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "department",
        "language",
        "content_languages",
        "opted_in_at",
        "opted_out_at",
        "guidelines_version",
        "digest_enabled",
        "leaderboard_visible",
    ]
    list_filter = [
        "department",
        "language",
        "content_languages",
        "digest_enabled",
        "urgent_alerts",
        "leaderboard_visible",
        ("opted_out_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["user__email", "user__display_name", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "department"]
    filter_horizontal = ["topics"]


@admin.register(models.SiteSettings)
class SiteSettingsAdmin(SuperuserWritesOnly, admin.ModelAdmin):
    """Leads change settings in the studio; a superuser's change here is audited too."""

    audits_itself = True

    list_display = ["__str__", "review_required", "digests_enabled", "digest_send_hour"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not models.SiteSettings.objects.exists() and super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = models.SiteSettings.objects.filter(pk=obj.pk).values(*form.changed_data).first()
        super().save_model(request, obj, form, change)
        changes = field_changes(
            stored or {}, {name: getattr(obj, name) for name in form.changed_data}
        )
        if changes:
            audit_record(
                actor=_staff(request), action=AuditAction.SETTINGS_CHANGED, obj=obj, changes=changes
            )


class ShareTextInline(SuperuserWritesOnly, admin.TabularInline):
    model = models.ShareText
    extra = 0


class ItemEventInline(admin.TabularInline):
    model = models.ItemEvent
    extra = 0
    readonly_fields = ["action", "actor", "at", "note"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Item)
class ItemAdmin(SuperuserWritesOnly, admin.ModelAdmin):
    """Read-only for comms. A superuser may still repair an item here; every such save is
    recorded in the audit trail with the exact old and new values."""

    audits_itself = True

    list_display = [
        "title",
        "status",
        "language",
        "publish_at",
        "expires_at",
        "is_urgent",
        "is_featured",
        "author",
    ]
    list_filter = ["status", "language", "is_urgent", "is_featured", "topics", "audience"]
    search_fields = ["title", "slug", "body"]
    date_hierarchy = "publish_at"
    raw_id_fields = ["author", "translation_of"]
    filter_horizontal = ["topics", "audience"]
    list_select_related = ["author"]
    inlines = [ShareTextInline, ItemEventInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = models.Item.objects.filter(pk=obj.pk).first() if change else None
        # Kept on the request until save_related, which runs after the topics are saved.
        request._item_before = item_snapshot(stored) if stored else {}  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        item = form.instance
        changes = field_changes(getattr(request, "_item_before", {}), item_snapshot(item))
        if changes:
            audit_record(
                actor=_staff(request), action=AuditAction.ADMIN_EDIT, item=item, changes=changes
            )
            # The item's own history says so too, with the fields' names.
            models.ItemEvent.objects.create(
                item=item,
                actor=_staff(request),
                action=models.ItemEvent.Action.EDITED,
                note=str(_("In the admin: %(fields)s"))
                % {"fields": ", ".join(field_label("ambassadors.item", name) for name in changes)},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=_staff(request),
            action=AuditAction.ADMIN_EDIT,
            item=obj,
            note=str(_("Deleted in the admin")),
        )
        super().delete_model(request, obj)


@admin.register(models.ItemEvent)
class ItemEventAdmin(AppendOnlyAdmin):
    """The items' history: written by the services only, so nobody edits it here."""

    list_display = ["item", "action", "actor", "at"]
    list_filter = ["action"]
    search_fields = ["item__title", "note"]
    raw_id_fields = ["item", "actor"]
    list_select_related = ["item", "actor"]


@admin.register(models.JargonTerm)
class JargonTermAdmin(admin.ModelAdmin):
    """Changes reach the studio's plain-language panel at once (its cache is cleared)."""

    list_display = ["term", "suggestion", "language"]
    list_filter = ["language"]
    search_fields = ["term", "suggestion"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        jargon_cache_clear()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        jargon_cache_clear()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        jargon_cache_clear()


@admin.register(models.TrackedLink)
class TrackedLinkAdmin(admin.ModelAdmin):
    list_display = ["code", "item", "ambassador", "network", "created_at"]
    list_filter = ["network"]
    search_fields = ["code", "item__title"]
    raw_id_fields = ["item", "ambassador"]
    list_select_related = ["item", "ambassador__user"]


@admin.register(models.Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ["item", "ambassador", "network", "created_at", "confirmed_at", "undone_at"]
    list_filter = ["network", ("undone_at", admin.EmptyFieldListFilter)]
    search_fields = ["item__title"]
    date_hierarchy = "created_at"
    raw_id_fields = ["item", "ambassador"]
    list_select_related = ["item", "ambassador__user"]


@admin.register(models.Click)
class ClickAdmin(admin.ModelAdmin):
    list_display = ["link", "at", "is_bot", "is_unique"]
    list_filter = ["is_bot", "is_unique"]
    date_hierarchy = "at"
    raw_id_fields = ["link"]


@admin.register(models.ClickDaily)
class ClickDailyAdmin(admin.ModelAdmin):
    list_display = ["link", "day", "clicks", "unique_clicks", "bot_clicks"]
    date_hierarchy = "day"
    raw_id_fields = ["link"]


@admin.register(models.Suggestion)
class SuggestionAdmin(SuperuserWritesOnly, admin.ModelAdmin):
    list_display = ["link", "ambassador", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["link", "note"]
    raw_id_fields = ["ambassador", "item", "decided_by"]
    list_select_related = ["ambassador__user"]


@admin.register(models.DigestRun)
class DigestRunAdmin(SuperuserWritesOnly, admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "planned", "sent", "failed", "unknown"]
    date_hierarchy = "started_at"


@admin.register(models.DigestDelivery)
class DigestDeliveryAdmin(SuperuserWritesOnly, admin.ModelAdmin):
    list_display = ["ambassador", "period", "status", "claimed_at", "sent_at", "attempts"]
    list_filter = ["status", "period"]
    raw_id_fields = ["ambassador", "run"]
    list_select_related = ["ambassador__user"]


@admin.register(models.AlertDelivery)
class AlertDeliveryAdmin(SuperuserWritesOnly, admin.ModelAdmin):
    list_display = ["ambassador", "item", "status", "claimed_at", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["ambassador", "item"]
    list_select_related = ["ambassador__user", "item"]


class ScimTokenAddForm(forms.ModelForm):
    class Meta:
        model = models.ScimToken
        fields = ["name"]


@admin.register(models.ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """Tokens for SCIM clients. The token is shown once, right after it is created; only
    its hash is stored. Revoke instead of delete, so the record of who had access stays."""

    list_display = ["name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]
    form = ScimTokenAddForm

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        row, token = scim_token_create(name=form.cleaned_data["name"], by=_staff(request))
        obj.pk = row.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            _("Copy this token now, it is shown only once: %(token)s") % {"token": token},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke: the SCIM client is refused at once"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for token in queryset:
            scim_token_revoke(token=token)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)


# Content sources and monitoring
@admin.register(models.Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "language", "is_active", "last_success_at", "last_error")
    list_filter = ("is_active", "language")
    search_fields = ("name", "url")
    readonly_fields = ("last_success_at", "last_error", "last_error_at", "last_warning")


@admin.register(models.SourceEntry)
class SourceEntryAdmin(admin.ModelAdmin):
    list_display = ("title", "source", "status", "published_at", "found_at")
    list_filter = ("status", "source", "language")
    search_fields = ("title", "link")
    raw_id_fields = ("item",)


@admin.register(models.WatchTerm)
class WatchTermAdmin(admin.ModelAdmin):
    list_display = ("term", "language", "is_alert")
    list_filter = ("language", "is_alert")


@admin.register(models.AuditEvent)
class AuditEventAdmin(AppendOnlyAdmin):
    """Append-only: nobody, not even a superuser, adds, changes or deletes events here."""

    list_display = ["at", "actor_label", "action", "object_label"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_label", "note"]
    date_hierarchy = "at"


@admin.register(models.ItemRevision)
class ItemRevisionAdmin(SuperuserWritesOnly, admin.ModelAdmin):
    list_display = ["item", "author", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["item", "author", "decided_by"]
    list_select_related = ["item", "author", "decided_by"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


from .crisis import admin as crisis_admin  # noqa: E402, F401 - crisis mode (issue 17)


# Daily rollups and report e-mails (issue 14): read-only, for checking the nightly comparison.
@admin.register(models.RollupState)
class RollupStateAdmin(AppendOnlyAdmin):
    list_display = [
        "built_through",
        "time_zone",
        "open_clicks",
        "reconciled_at",
        "reconciled_days",
        "repaired_days",
    ]


@admin.register(models.ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ["user", "period", "status", "claimed_at", "sent_at"]
    list_filter = ["status", "period"]
    raw_id_fields = ["user"]
