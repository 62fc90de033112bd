"""Settings for the bench scripts: the local profile against the real services, no debug,
plus a bench-only URLConf with a bare redirect view for comparison."""

from portal.settings.local import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.urls"
SITE_URL = "http://127.0.0.1:8000"
# One wrk client is one IP: keep the limiter on the path (its cost counts) but out of reach.
REDIRECT_RATE_LIMIT = 1_000_000_000
ACCOUNT_RATE_LIMITS = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
