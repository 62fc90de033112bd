"""Studio URLs, mounted at /studio/ by ambassadors.urls; names start with ``studio_``."""

from django.urls import path

from . import (
    audit,
    calendar,
    items,
    plain_language,
    review,
    revisions,
    site_settings,
    sources,
    workflow,
)

urlpatterns = [
    path("", items.item_list, name="studio_items"),
    path("items/new/", items.item_new, name="studio_item_new"),
    path("items/<int:pk>/", items.item_detail, name="studio_item"),
    path("items/<int:pk>/edit/", items.item_edit, name="studio_item_edit"),
    path("items/<int:pk>/submit/", workflow.submit, name="studio_item_submit"),
    path("items/<int:pk>/approve/", workflow.approve, name="studio_item_approve"),
    path("items/<int:pk>/publish/", workflow.publish, name="studio_item_publish"),
    path("items/<int:pk>/send-back/", workflow.send_back, name="studio_item_return"),
    path("items/<int:pk>/archive/", workflow.archive, name="studio_item_archive"),
    path("items/<int:pk>/copy/", workflow.duplicate, name="studio_item_duplicate"),
    path("items/<int:pk>/alerts/cancel/", workflow.alerts_cancel, name="studio_item_alerts_cancel"),
    path("plain-language/", plain_language.panel, name="studio_plain_language"),
    path("review/", review.review_queue, name="studio_review"),
    path("settings/", site_settings.site_settings, name="studio_settings"),
    # Content sources and monitoring (issue 15)
    path("ideas/", sources.ideas, name="studio_ideas"),
    path("ideas/<int:pk>/draft/", sources.idea_draft, name="studio_idea_draft"),
    path("ideas/<int:pk>/dismiss/", sources.idea_dismiss, name="studio_idea_dismiss"),
    path("sources/", sources.sources, name="studio_sources"),
    path("sources/<int:pk>/", sources.source_edit, name="studio_source_edit"),
    path("sources/<int:pk>/check/", sources.source_check, name="studio_source_check"),
    path("sources/<int:pk>/delete/", sources.source_delete, name="studio_source_delete"),
    path("watched-terms/", sources.watch_terms, name="studio_watch_terms"),
    path(
        "watched-terms/<int:pk>/delete/", sources.watch_term_delete, name="studio_watch_term_delete"
    ),
    path("link-preview/", sources.preview, name="studio_link_preview"),
    # Editorial control (issue 12)
    path("items/<int:pk>/change/", revisions.revision_review, name="studio_revision"),
    path("audit/", audit.audit_page, name="studio_audit"),
    path("audit.csv", audit.audit_csv, name="studio_audit_csv"),
    path("calendar/", calendar.calendar_page, name="studio_calendar"),
    path("calendar/feed/", calendar.feed_settings, name="studio_calendar_feed"),
]
