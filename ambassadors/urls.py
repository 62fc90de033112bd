from django.urls import include, path

from .views import home, membership, privacy

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
]
