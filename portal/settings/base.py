"""Settings shared by every profile. Values come from the environment (see .env.example)."""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
ALLOWED_EMAIL_DOMAINS = [d.lower() for d in env.list("ALLOWED_EMAIL_DOMAINS", default=[])]
COMPANY_NAME = env.str("COMPANY_NAME", default="Example")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "django_htmx",
    "csp",
    "ambassadors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ambassadors.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ambassadors.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "ambassadors.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ambassadors.context_processors.portal",
            ],
        },
    },
]


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server with another database number (broker and cache never share one)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def redis_db(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    return int(path) if path.isdigit() else 0


def database_config() -> dict:
    """PostgreSQL when DATABASE_URL is set, else SQLite tuned for web + worker + beat at once."""
    if env.str("DATABASE_URL", default=""):
        config = env.db("DATABASE_URL")
        config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        # Connections cut by the server (failover, pg_terminate_backend) are replaced
        # on the next request instead of failing it.
        config["CONN_HEALTH_CHECKS"] = True
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "portal.sqlite3",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    REDIS_CACHE_URL = env.str(
        "REDIS_CACHE_URL", default=redis_url_with_db(REDIS_URL, redis_db(REDIS_URL) + 1)
    )
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "results", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{_celery_dir / 'results'}"

SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "portal.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_QUERY_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=False)


def sso_providers() -> dict:
    """Single sign-on, each switched on by its settings alone: a generic OpenID Connect
    provider (OIDC_SERVER_URL), Google Workspace (GOOGLE_CLIENT_ID) and Microsoft Entra ID
    (MICROSOFT_CLIENT_ID). Sign-up through any of them keeps to ALLOWED_EMAIL_DOMAINS."""
    providers = {}
    if env.str("GOOGLE_CLIENT_ID", default=""):
        providers["google"] = {
            "APPS": [
                {
                    "client_id": env.str("GOOGLE_CLIENT_ID"),
                    "secret": env.str("GOOGLE_CLIENT_SECRET"),
                }
            ],
            "SCOPE": ["profile", "email"],
            "OAUTH_PKCE_ENABLED": True,
        }
    if env.str("MICROSOFT_CLIENT_ID", default=""):
        providers["microsoft"] = {
            "APPS": [
                {
                    "client_id": env.str("MICROSOFT_CLIENT_ID"),
                    "secret": env.str("MICROSOFT_CLIENT_SECRET"),
                    "settings": {"tenant": env.str("MICROSOFT_TENANT", default="organizations")},
                }
            ]
        }
    server_url = env.str("OIDC_SERVER_URL", default="")
    if not server_url:
        return providers
    return {
        **providers,
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": env.str("OIDC_PROVIDER_ID", default="sso"),
                    "name": env.str("OIDC_NAME", default="Company SSO"),
                    "client_id": env.str("OIDC_CLIENT_ID"),
                    "secret": env.str("OIDC_CLIENT_SECRET"),
                    "settings": {"server_url": server_url},
                }
            ],
            "OAUTH_PKCE_ENABLED": True,
        },
    }


SOCIALACCOUNT_PROVIDERS = sso_providers()
# Installed only when configured: Google's app adds a token endpoint that allauth exempts
# from CSRF (a signed Google ID token is the proof), which must not exist otherwise.
INSTALLED_APPS += [
    f"allauth.socialaccount.providers.{name}"
    for name in ("google", "microsoft")
    if name in SOCIALACCOUNT_PROVIDERS
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Ambassador portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Content-Security-Policy (django-csp 4): no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'", "https:"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Suggestions one ambassador may send: (how many, per seconds).
SUGGESTION_RATE_LIMIT = (env.int("SUGGESTIONS_PER_HOUR", default=5), 3600)

# How long raw clicks are kept before they are folded into daily totals.
CLICK_RETENTION_DAYS = env.int("CLICK_RETENTION_DAYS", default=90)

# Feed, sharing and tracked links (/s/<code>). Clicks are buffered in Redis (never the
# cache's database, which may be flushed) and flushed in bulk by beat; without Redis they
# go straight to the database.
CLICK_BUFFER_URL = env.str("CLICK_BUFFER_URL", default=REDIS_URL)
REDIRECT_RATE_LIMIT = env.int("REDIRECT_RATE_LIMIT", default=120)  # per client per minute
# Push clicks to Redis from a background thread per process (no I/O on the redirect).
CLICK_BACKGROUND_PUSH = env.bool("CLICK_BACKGROUND_PUSH", default=True)
LINK_CACHE_SECONDS = env.float("LINK_CACHE_SECONDS", default=5.0)  # per web process
LINK_SHARED_CACHE_SECONDS = env.int("LINK_SHARED_CACHE_SECONDS", default=10)
CELERY_BEAT_SCHEDULE["clicks-flush"] = {"task": "ambassadors.clicks_flush", "schedule": 15.0}
CELERY_BEAT_SCHEDULE["clicks-fold-old"] = {
    "task": "ambassadors.clicks_fold_old",
    "schedule": 6 * 3600.0,
}
# Report e-mails (ambassadors/report_emails.py) go out from this hour (TIME_ZONE).
REPORT_EMAIL_HOUR = env.int("REPORT_EMAIL_HOUR", default=7)
# Daily rollups for the reports (ambassadors/rollups.py): new days every 5 minutes (cheap
# when nothing ended), the comparison with the raw rows every night.
CELERY_BEAT_SCHEDULE["rollups-refresh"] = {
    "task": "ambassadors.rollups_refresh",
    "schedule": 300.0,
    "options": {"expires": 290},
}

# Weekly digests and urgent alerts (ambassadors/digests.py, alerts.py). Send hour and the
# global on/off switch are SiteSettings, edited in the studio.
from celery.schedules import crontab  # noqa: E402

DIGEST_BATCH_SIZE = env.int("DIGEST_BATCH_SIZE", default=200)
# A claim older than this belongs to a worker that died mid-batch: it becomes "unknown".
DELIVERY_CLAIM_TIMEOUT_MINUTES = env.int("DELIVERY_CLAIM_TIMEOUT_MINUTES", default=30)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
CELERY_BEAT_SCHEDULE |= {
    "digest-dispatch": {
        "task": "ambassadors.digest_dispatch",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "alert-sweep": {
        "task": "ambassadors.alert_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "report-emails": {
        "task": "ambassadors.report_emails_send",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60},
    },
    "rollups-reconcile": {
        "task": "ambassadors.rollups_reconcile",
        "schedule": crontab(hour=3, minute=17),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
