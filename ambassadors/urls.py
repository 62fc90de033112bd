from django.urls import include, path

from .crisis import urls as crisis_urls
from .views import (
    bounces,
    digests,
    home,
    impact,
    items,
    leaderboard,
    membership,
    notifications,
    privacy,
    public,
    report_drilldowns,
    reports,
    suggestions,
    unsubscribe,
)
from .views.studio import calendar as studio_calendar

app_name = "ambassadors"

urlpatterns = [
    path("", home.home, name="home"),
    path("join/", membership.join, name="join"),
    path("join/again/", membership.rejoin, name="rejoin"),
    path("me/preferences/", membership.preferences, name="preferences"),
    path("me/mail/retry/", bounces.mail_retry, name="mail_retry"),
    path("studio/bounces/", bounces.studio_bounces, name="studio_bounces"),
    path("me/leave/", membership.opt_out, name="opt_out"),
    path("me/data/", privacy.my_data, name="my_data"),
    path("me/data/export.json", privacy.my_data_export, name="my_data_export"),
    path("privacy/", privacy.privacy_page, name="privacy"),
    # Inbox and notification switches (issue 12)
    path("me/notifications/", notifications.inbox, name="notifications"),
    path("me/notifications/badge/", notifications.unread_badge, name="notifications_badge"),
    path("me/notifications/read/", notifications.mark_all_read, name="notifications_read"),
    path(
        "me/notifications/<int:pk>/open/",
        notifications.open_notification,
        name="notification_open",
    ),
    # The private iCalendar feed: no login (calendar apps cannot sign in), the token is the key.
    path("calendar/<str:token>.ics", studio_calendar.calendar_ics, name="studio_calendar_ics"),
    path(
        "me/notifications/settings/",
        notifications.notification_settings,
        name="notification_settings",
    ),
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
    path(
        "unsubscribe/urgent/<str:token>/",
        unsubscribe.unsubscribe_urgent,
        name="unsubscribe_urgent",
    ),
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("studio/digests/", digests.runs, name="studio_digests"),
    path("studio/digests/runs/<int:run_id>/", digests.run_detail, name="studio_digest_run"),
    path(
        "studio/digests/runs/<int:run_id>/resend-unknown/",
        digests.run_resend_unknown,
        name="studio_digest_resend_unknown",
    ),
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

# Crisis mode (issue 17): the studio and the public dark site
urlpatterns += [
    path("studio/crisis/", include(crisis_urls.studio_urlpatterns)),
    path("crisis/", include(crisis_urls.public_urlpatterns)),
]
