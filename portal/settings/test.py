"""Fast, isolated settings for pytest. DATABASE_URL / REDIS_URL switch on the real services."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
SITE_URL = "http://testserver"
ALLOWED_EMAIL_DOMAINS = ["example.com", "example.nl"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_RATE_LIMITS = False
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The SAML tests configure their own IdP per test (override_settings); the app (and its
# URLs) must be installed when the URLconf loads.
if "allauth.socialaccount.providers.saml" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS += ["allauth.socialaccount.providers.saml"]  # noqa: F405
SCIM_SERVICE_PROVIDER = {**SCIM_SERVICE_PROVIDER, "NETLOC": "testserver", "SCHEME": "http"}  # noqa: F405
# The providers' bounce webhooks are served in tests (ambassadors/tests/test_bounces.py).
ANYMAIL = {"WEBHOOK_SECRET": "hook:test-only-secret", "MAILGUN_WEBHOOK_SIGNING_KEY": "test-key"}
BOUNCE_WEBHOOK_PROVIDER = "mailgun"
# The fetcher may reach the local HTTP servers tests start (refusal tests switch it off).
FETCH_ALLOW_LOOPBACK = True
# Per-process dark-site copies would outlive a test's database; one test turns them on.
DARK_SITE_LOCAL_SECONDS = 0
