from django.urls import include, path

from .views import (
    digests,
    home,
    impact,
    items,
    leaderboard,
    membership,
    privacy,
    public,
    report_drilldowns,
    reports,
    suggestions,
    unsubscribe,
)

app_name = "ambassadors"

urlpatterns = [
    path("", home.home, name="home"),
    path("join/", membership.join, name="join"),
    path("join/again/", membership.rejoin, name="rejoin"),
    path("me/preferences/", membership.preferences, name="preferences"),
    path("me/leave/", membership.opt_out, name="opt_out"),
    path("me/data/", privacy.my_data, name="my_data"),
    path("me/data/export.json", privacy.my_data_export, name="my_data_export"),
    path("privacy/", privacy.privacy_page, name="privacy"),
    # Publishing studio (issue 4): names start with studio_
    path("studio/", include("ambassadors.views.studio.urls")),
    # Reports, leaderboard, suggestions and my impact
    path("me/", impact.my_impact, name="impact"),
    path("leaderboard/", leaderboard.leaderboard_page, name="leaderboard"),
    path("suggestions/", suggestions.my_suggestions, name="suggestions"),
    path("studio/reports/", reports.reports_page, name="reports"),
    path("studio/reports/<slug:table>.csv", reports.report_csv, name="report_csv"),
    path("studio/reports/email/", report_drilldowns.report_emails, name="report_emails"),
    path("studio/reports/items/<int:pk>/", report_drilldowns.item_report, name="report_item"),
    path(
        "studio/reports/departments/<int:pk>/",
        report_drilldowns.department_report,
        name="report_department",
    ),
    path(
        "studio/reports/networks/<str:network>/",
        report_drilldowns.network_report,
        name="report_network",
    ),
    path("studio/suggestions/", suggestions.suggestion_queue, name="suggestion_queue"),
    path(
        "studio/suggestions/<int:pk>/accept/",
        suggestions.suggestion_accept_view,
        name="suggestion_accept",
    ),
    path(
        "studio/suggestions/<int:pk>/decline/",
        suggestions.suggestion_decline_view,
        name="suggestion_decline",
    ),
    # Feed, sharing and tracked links
    path("items/<slug:slug>/", items.item_detail, name="item"),
    path("items/<slug:slug>/share/<str:network>/", items.share, name="share"),
    path("items/<slug:slug>/shares/", items.share_manual, name="share_manual"),
    path("shares/<int:pk>/confirm/", items.share_confirm_view, name="share_confirm"),
    path("shares/<int:pk>/undo/", items.share_undo_view, name="share_undo"),
    path("p/<slug:slug>/", public.public_item, name="public_item"),
    path("s/<str:code>", public.tracked_redirect, name="tracked_redirect"),
]

# Weekly e-mails and urgent alerts
urlpatterns += [
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("studio/digests/", digests.runs, name="studio_digests"),
    path("studio/digests/runs/<int:run_id>/", digests.run_detail, name="studio_digest_run"),
    path("studio/digests/preview/", digests.preview_search, name="studio_digest_search"),
    path(
        "studio/digests/preview/<int:ambassador_id>/",
        digests.preview,
        name="studio_digest_preview",
    ),
    path(
        "studio/digests/preview/<int:ambassador_id>/email.html",
        digests.preview_html,
        name="studio_digest_preview_html",
    ),
    path(
        "studio/digests/preview/<int:ambassador_id>/test/",
        digests.send_test,
        name="studio_digest_send_test",
    ),
]
