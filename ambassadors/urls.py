from django.urls import path

from .views import digests, home, membership, privacy, unsubscribe

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
]

# Weekly e-mails and urgent alerts
urlpatterns += [
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("studio/digests/", digests.runs, name="studio_digests"),
    path("studio/digests/settings/", digests.settings_update, name="studio_digest_settings"),
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
