from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from ambassadors.views.system import healthz, healthz_web, set_language

urlpatterns = [
    path("", include("ambassadors.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("scim/v2/", include("ambassadors.identity.scim_urls", namespace="scim")),
    path("healthz", healthz, name="healthz"),
    path("healthz/web", healthz_web, name="healthz-web"),
    path("i18n/setlang/", set_language, name="set_language"),
]

# E-mail providers' bounce webhooks (django-anymail): only with a webhook secret, so nobody
# can stop someone's mail with a forged bounce. Authenticated by basic auth and, where the
# provider signs its posts, the signature; CSRF does not apply to server-to-server posts.
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns += [path("anymail/", include("anymail.urls"))]

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
