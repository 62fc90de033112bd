from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from ambassadors.views.system import healthz, set_language

urlpatterns = [
    path("", include("ambassadors.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
]

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler403 = "ambassadors.error_pages.handler403"
handler404 = "ambassadors.error_pages.handler404"
handler500 = "ambassadors.error_pages.handler500"
