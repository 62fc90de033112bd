from django.urls import path

from .views import home, items, membership, privacy, public

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
    # Feed, sharing and tracked links
    path("items/<slug:slug>/", items.item_detail, name="item"),
    path("items/<slug:slug>/share/<str:network>/", items.share, name="share"),
    path("items/<slug:slug>/shares/", items.share_manual, name="share_manual"),
    path("shares/<int:pk>/confirm/", items.share_confirm_view, name="share_confirm"),
    path("shares/<int:pk>/undo/", items.share_undo_view, name="share_undo"),
    path("p/<slug:slug>/", public.public_item, name="public_item"),
    path("s/<str:code>", public.tracked_redirect, name="tracked_redirect"),
]
