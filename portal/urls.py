from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from ambassadors.views.system import favicon_ico, healthz, healthz_web, robots_txt, set_language

urlpatterns = [
    path("", include("ambassadors.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("scim/v2/", include("ambassadors.identity.scim_urls", namespace="scim")),
    path("healthz", healthz, name="healthz"),
    path("healthz/web", healthz_web, name="healthz-web"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon_ico, name="favicon"),
]

# E-mail providers' bounce webhooks (django-anymail): only the tracking webhook of the
# provider named in BOUNCE_WEBHOOK_PROVIDER, and only with a webhook secret, so nobody can stop
# someone's mail with a forged bounce. Authenticated by basic auth and, where the provider
# signs its posts, the signature; CSRF does not apply to server-to-server posts.
if settings.BOUNCE_WEBHOOK_PROVIDER and settings.ANYMAIL.get("WEBHOOK_SECRET"):
    from anymail.urls import urlpatterns as anymail_patterns

    wanted = f"{settings.BOUNCE_WEBHOOK_PROVIDER}_tracking_webhook"
    urlpatterns += [path("anymail/", include([p for p in anymail_patterns if p.name == wanted]))]

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler403 = "ambassadors.error_pages.handler403"
handler404 = "ambassadors.error_pages.handler404"
handler500 = "ambassadors.error_pages.handler500"
