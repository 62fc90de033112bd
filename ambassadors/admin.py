from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import models
from .privacy import user_delete
from .publishing import jargon_cache_clear


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "first_name", "last_name", "username"]
    ordering = ["email"]
    actions = ["deactivate"]

    def delete_model(self, request, obj):
        user_delete(user=obj)

    def delete_queryset(self, request, queryset):
        """Same as a person deleting their own account: anonymise, never cascade away
        the shares and links others still click."""
        for user in queryset:
            user_delete(user=user)

    @admin.action(description=_("Deactivate (a leaver): access ends at once"))
    def deactivate(self, request, queryset):
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(
            request,
            ngettext("%(count)d account deactivated.", "%(count)d accounts deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(models.Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


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
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "department"]
    filter_horizontal = ["topics"]


@admin.register(models.SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "review_required", "digests_enabled", "digest_send_hour"]

    def has_add_permission(self, request) -> bool:
        return not models.SiteSettings.objects.exists()


class ShareTextInline(admin.TabularInline):
    model = models.ShareText
    extra = 0


class ItemEventInline(admin.TabularInline):
    model = models.ItemEvent
    extra = 0
    readonly_fields = ["action", "actor", "at", "note"]
    can_delete = False


@admin.register(models.Item)
class ItemAdmin(admin.ModelAdmin):
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


@admin.register(models.ItemEvent)
class ItemEventAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        jargon_cache_clear()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        jargon_cache_clear()

    def delete_queryset(self, request, queryset):
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
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["link", "ambassador", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["link", "note"]
    raw_id_fields = ["ambassador", "item", "decided_by"]
    list_select_related = ["ambassador__user"]


@admin.register(models.DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "planned", "sent", "failed", "unknown"]
    date_hierarchy = "started_at"


@admin.register(models.DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["ambassador", "period", "status", "claimed_at", "sent_at", "attempts"]
    list_filter = ["status", "period"]
    raw_id_fields = ["ambassador", "run"]
    list_select_related = ["ambassador__user"]


@admin.register(models.AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    list_display = ["ambassador", "item", "status", "claimed_at", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["ambassador", "item"]
    list_select_related = ["ambassador__user", "item"]


# Daily rollups and report e-mails (issue 14): read-only, for checking the nightly comparison.
@admin.register(models.RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    list_display = [
        "built_through",
        "time_zone",
        "reconciled_at",
        "reconciled_days",
        "repaired_days",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ["user", "period", "status", "claimed_at", "sent_at"]
    list_filter = ["status", "period"]
    raw_id_fields = ["user"]
