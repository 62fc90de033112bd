"""Crisis URLs, included by ambassadors.urls: the studio under /studio/crisis/ and the public
dark site under /crisis/<slug>/."""

from django.urls import path

from . import views

studio_urlpatterns = [
    path("", views.crisis_home, name="studio_crisis_home"),
    path("scenarios/new/", views.scenario_new, name="studio_crisis_scenario_new"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="studio_crisis_scenario"),
    path("scenarios/<int:pk>/edit/", views.scenario_edit, name="studio_crisis_scenario_edit"),
    path(
        "scenarios/<int:pk>/<slug:step>/",
        views.scenario_step,
        name="studio_crisis_scenario_step",
    ),
    path("activate/", views.activate, name="studio_crisis_activate"),
    path("banner/", views.pause_banner, name="studio_crisis_banner"),
    path("pause/", views.pause_start, name="studio_crisis_pause"),
    path("resume/", views.pause_resume, name="studio_crisis_resume"),
    path("webhooks/", views.webhooks, name="studio_crisis_webhooks"),
    path("webhooks/<int:pk>/toggle/", views.webhook_toggle, name="studio_crisis_webhook_toggle"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="studio_crisis_webhook_delete"),
    path("<int:pk>/", views.crisis_detail, name="studio_crisis"),
    path("<int:pk>/confirm/", views.crisis_confirm, name="studio_crisis_confirm"),
    path("<int:pk>/discard/", views.crisis_discard, name="studio_crisis_discard"),
    path("<int:pk>/updates/", views.crisis_update, name="studio_crisis_update"),
    path(
        "<int:pk>/updates/<int:number>/cancel/",
        views.update_alerts_cancel,
        name="studio_crisis_update_cancel",
    ),
    path("<int:pk>/close/", views.crisis_close, name="studio_crisis_close"),
    path("<int:pk>/report/", views.report, name="studio_crisis_report"),
    path("<int:pk>/report.csv", views.report_csv, name="studio_crisis_report_csv"),
    path("<int:pk>/site/", views.site_preview, name="studio_crisis_site_preview"),
]

public_urlpatterns = [
    path("<slug:slug>/", views.dark_site, name="crisis_site"),
    path("<slug:slug>/feed/", views.dark_site_feed, name="crisis_feed"),
]
