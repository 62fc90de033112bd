"""Crisis mode in the Django admin: to look things up only. Every change goes through the
studio (/studio/crisis/), whose services enforce review, the two-person rule and alerts;
webhook addresses are shown masked, never in full."""

from django.contrib import admin

from .. import models
from ..admin import ReadOnlyAdmin


@admin.register(models.CrisisScenario)
class CrisisScenarioAdmin(ReadOnlyAdmin):
    list_display = ["name", "status", "internal_only", "must_reach", "author", "approved_by"]
    list_filter = ["status", "internal_only"]


@admin.register(models.Crisis)
class CrisisAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "internal_only", "activated_at", "closed_at"]
    list_filter = ["status", "internal_only"]
    exclude = ["draft"]


@admin.register(models.ContentPause)
class ContentPauseAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "started_by", "reason", "resumed_at", "resumed_by"]


@admin.register(models.CrisisAlertDelivery)
class CrisisAlertDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["update", "ambassador", "status", "claimed_at", "sent_at", "attempts"]
    list_filter = ["status"]
    raw_id_fields = ["ambassador", "update"]


@admin.register(models.Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "masked_url", "language", "is_active", "post_new_items"]
    exclude = ["url"]
    readonly_fields = ["masked_url"]


@admin.register(models.WebhookPost)
class WebhookPostAdmin(ReadOnlyAdmin):
    list_display = ["webhook", "update", "item", "status", "attempts", "error", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["update", "item"]
