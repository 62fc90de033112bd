"""Settings shared by every profile. Values come from the environment (see .env.example)."""

import os
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
# Written as the company writes them: Unicode (bücher.example) or punycode
# (xn--bcher-kva.example). Addresses must use the same spelling (ambassadors/identity/domains.py).
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
    "anymail",
    "ambassadors",
]

MIDDLEWARE = [
    "portal.logs.RequestIdMiddleware",
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
# Beat's default scheduler plus a heartbeat for /healthz (ambassadors/health.py).
CELERY_BEAT_SCHEDULER = "ambassadors.health:HeartbeatScheduler"
HEARTBEAT_SECONDS = env.int("HEARTBEAT_SECONDS", default=30)
# A worker or beat not heard of for this long is reported stale by /healthz.
HEALTH_HEARTBEAT_MAX_AGE = env.int("HEALTH_HEARTBEAT_MAX_AGE", default=180)
CELERY_BEAT_SCHEDULE["heartbeat"] = {
    "task": "ambassadors.heartbeat",
    "schedule": float(HEARTBEAT_SECONDS),
    "options": {"expires": HEARTBEAT_SECONDS},
}
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
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True  # signs in when the same browser signed up
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "ambassadors.identity.forms.NamesSignupForm"
ACCOUNT_USER_DISPLAY = "ambassadors.identity.names.user_display"
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
    if env.str("SAML_IDP_ENTITY_ID", default="") or env.str("SAML_IDP_METADATA_URL", default=""):
        providers["saml"] = {"APPS": [saml_app()]}
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


def saml_app() -> dict:
    """SAML 2.0 (allauth's saml provider): either the IdP's metadata URL
    (SAML_IDP_METADATA_URL + SAML_IDP_ENTITY_ID) or entity ID, sign-in URL and signing
    certificate (SAML_IDP_ENTITY_ID, SAML_IDP_SSO_URL, SAML_IDP_X509_CERT). The SP's
    metadata is served at /accounts/saml/<SAML_SLUG>/metadata/ for the IdP."""
    idp: dict = {"entity_id": env.str("SAML_IDP_ENTITY_ID", default="")}
    if env.str("SAML_IDP_METADATA_URL", default=""):
        idp["metadata_url"] = env.str("SAML_IDP_METADATA_URL")
    else:
        idp["sso_url"] = env.str("SAML_IDP_SSO_URL")
        idp["x509cert"] = env.str("SAML_IDP_X509_CERT", multiline=True)
        if env.str("SAML_IDP_SLO_URL", default=""):
            idp["slo_url"] = env.str("SAML_IDP_SLO_URL")
    return {
        "name": env.str("SAML_NAME", default="Company SSO (SAML)"),
        "provider_id": "saml",
        "client_id": env.str("SAML_SLUG", default="company"),
        "settings": {
            "idp": idp,
            "attribute_mapping": {
                "uid": env.list("SAML_UID_ATTRIBUTES", default=[]),
                "email": env.list(
                    "SAML_EMAIL_ATTRIBUTES",
                    default=[
                        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                        "urn:oid:0.9.2342.19200300.100.1.3",
                        "email",
                    ],
                ),
                "first_name": SSO_ATTRIBUTE_MAP["first_name"],
                "last_name": SSO_ATTRIBUTE_MAP["last_name"],
            },
            "use_nameid_for_email": env.bool("SAML_NAMEID_IS_EMAIL", default=True),
            # The company IdP vouches for its people's addresses; the domain rule still
            # applies (portal/adapters.py).
            "verified_email": env.bool("SAML_EMAIL_VERIFIED", default=True),
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "want_message_signed": False,
                "reject_idp_initiated_sso": True,
                "reject_deprecated_algorithm": True,
            },
        },
    }


# Which claims (OpenID Connect) or attributes (SAML) hold the names and the department.
# The first one present wins. Defaults cover Entra ID, Okta and the OIDC standard claims.
SSO_ATTRIBUTE_MAP = {
    "first_name": env.list(
        "SSO_FIRST_NAME_CLAIMS",
        default=[
            "given_name",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
            "urn:oid:2.5.4.42",
            "firstName",
            "givenName",
        ],
    ),
    "last_name": env.list(
        "SSO_LAST_NAME_CLAIMS",
        default=[
            "family_name",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
            "urn:oid:2.5.4.4",
            "lastName",
            "sn",
        ],
    ),
    "display_name": env.list(
        "SSO_DISPLAY_NAME_CLAIMS",
        default=[
            "name",
            "http://schemas.microsoft.com/identity/claims/displayname",
            "urn:oid:2.16.840.1.113730.3.1.241",
            "displayName",
        ],
    ),
    "department": env.list(
        "SSO_DEPARTMENT_CLAIMS",
        default=[
            "department",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department",
            "urn:oid:2.5.4.11",
        ],
    ),
}
# On: names from the identity provider replace names people typed themselves.
IDENTITY_PROVIDER_NAMES_WIN = env.bool("IDENTITY_PROVIDER_NAMES_WIN", default=False)

SOCIALACCOUNT_PROVIDERS = sso_providers()
# Installed only when configured: Google's app adds a token endpoint that allauth exempts
# from CSRF (a signed Google ID token is the proof), and SAML's assertion consumer service
# is CSRF-exempt too (the IdP's signature is the proof); neither must exist otherwise.
INSTALLED_APPS += [
    f"allauth.socialaccount.providers.{name}"
    for name in ("google", "microsoft", "saml")
    if name in SOCIALACCOUNT_PROVIDERS
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Rotating SECRET_KEY: put the old key here (comma-separated) so sessions and signed links
# made with it (unsubscribe links in old e-mails) keep working.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

FORMAT_MODULE_PATH = ["portal.formats"]  # our date formats per language (portal/formats/)
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


def sso_origins(providers: dict) -> list[str]:
    """Origins of the configured sign-in providers, for CSP form-action: the sign-in form
    posts to us and we redirect to the provider, and browsers apply form-action to that
    redirect too. Plain-http providers (internal test IdPs) are allowed only when listed
    here; production providers must use https."""
    urls = [
        app.get("settings", {}).get("server_url", "")
        for app in providers.get("openid_connect", {}).get("APPS", [])
    ]
    for app in providers.get("saml", {}).get("APPS", []):
        idp = app["settings"]["idp"]
        urls += [idp.get("sso_url", ""), idp.get("slo_url", "")]
    origins = []
    for url in urls:
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


SSO_FORM_ACTION_ORIGINS = sso_origins(SOCIALACCOUNT_PROVIDERS)

# Content-Security-Policy (django-csp 4): no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'", "https:", *SSO_FORM_ACTION_ORIGINS],
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

# SCIM 2.0 provisioning at /scim/v2/ (django-scim2). Tokens: admin → SCIM tokens.
SCIM_SERVICE_PROVIDER = {
    "NETLOC": urlsplit(SITE_URL).netloc,
    "SCHEME": urlsplit(SITE_URL).scheme or "https",
    "USER_ADAPTER": "ambassadors.identity.scim.ScimUser",
    "USER_FILTER_PARSER": "ambassadors.identity.scim_filters.ScimUserFilterQuery",
    "AUTH_CHECK_MIDDLEWARE": "ambassadors.identity.scim_auth.ScimBearerAuth",
    "SERVICE_PROVIDER_CONFIG_MODEL": "ambassadors.identity.scim_auth.ScimServiceProviderConfig",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A token created in the admin (SCIM tokens).",
            "primary": True,
        }
    ],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
}

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
# Yesterday's visitor-hash salt is destroyed (ambassadors/tracking/salts.py).
CELERY_BEAT_SCHEDULE["clicks-salts-purge"] = {
    "task": "ambassadors.clicks_salts_purge",
    "schedule": 3600.0,
}
# Report e-mails (ambassadors/reporting/emails.py) go out from this hour (TIME_ZONE).
REPORT_EMAIL_HOUR = env.int("REPORT_EMAIL_HOUR", default=7)
# Daily rollups for the reports (ambassadors/reporting/rollups/): new days every 5 minutes
# (cheap when nothing ended), the comparison with the raw rows every night.
CELERY_BEAT_SCHEDULE["rollups-refresh"] = {
    "task": "ambassadors.rollups_refresh",
    "schedule": 300.0,
    "options": {"expires": 290},
}

# Weekly digests and urgent alerts (ambassadors/mail/digests/, ambassadors/mail/alerts.py).
# Send hour and the global on/off switch are SiteSettings, edited in the studio.
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
    "crisis-alert-sweep": {
        "task": "ambassadors.crisis_alert_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
# Crisis mode: Slack/Teams webhook hosts allowed besides the services' own (https only for
# those), e.g. an outbound proxy; back-off base for 429/5xx answers.
WEBHOOK_EXTRA_HOSTS = [h.lower() for h in env.list("WEBHOOK_EXTRA_HOSTS", default=[])]
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=10)
# How long each web process may serve its own copy of a dark-site page before it checks the
# shared cache again (an update shows on every process within this time; 0 = always check).
DARK_SITE_LOCAL_SECONDS = env.float("DARK_SITE_LOCAL_SECONDS", default=1.0)

# Bounces (ambassadors/mail/bounces.py): soft bounces in a row before mail to an address stops.
BOUNCE_SOFT_LIMIT = env.int("BOUNCE_SOFT_LIMIT", default=5)
# Whose bounce reports to take (an anymail provider name: mailgun, postmark, sendgrid,
# amazon_ses, brevo, mailjet, sparkpost, resend, ...), at /anymail/<provider>/tracking/.
BOUNCE_WEBHOOK_PROVIDER = env.str("BOUNCE_WEBHOOK_PROVIDER", default="")
# Providers' bounce webhooks through django-anymail at /anymail/<provider>/tracking/. Every
# ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], e.g. ANYMAIL_WEBHOOK_SECRET (basic auth
# "user:password", required: without it the webhooks are not served) and
# ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and value
}

# Notifications (issue 12): a burst collects this long before it is e-mailed, and nobody gets
# two notification e-mails within it. Beat re-runs the sender in case a queued task was lost.
NOTIFICATION_BATCH_SECONDS = env.int("NOTIFICATION_BATCH_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["held-images-clean"] = {
    "task": "ambassadors.held_images_clean",
    "schedule": 6 * 3600.0,
    "options": {"expires": 3600},
}
CELERY_BEAT_SCHEDULE["notifications-email"] = {
    "task": "ambassadors.notifications_email_due",
    "schedule": 300.0,
    "options": {"expires": 290},
}

# Content sources and monitoring (ambassadors/sources/, ambassadors/fetching.py).
FETCH_CONNECT_TIMEOUT = env.float("FETCH_CONNECT_TIMEOUT", default=5.0)  # seconds
FETCH_TOTAL_TIMEOUT = env.float("FETCH_TOTAL_TIMEOUT", default=20.0)  # seconds, whole request
SOURCE_MAX_BYTES = env.int("SOURCE_MAX_BYTES", default=5 * 1024 * 1024)
# Tests only: lets the fetcher reach a local test server. Never read from the environment.
FETCH_ALLOW_LOOPBACK = False
CELERY_BEAT_SCHEDULE |= {
    "sources-dispatch": {
        "task": "ambassadors.sources_dispatch",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "term-alerts-sweep": {
        "task": "ambassadors.term_alerts_send",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}

from portal.errors import init_error_reporting  # noqa: E402
from portal.logs import logging_config  # noqa: E402

# LOG_FORMAT=json: one JSON object per line (for log shippers); every line carries the
# request id, and paths with secrets (reset keys, unsubscribe tokens) are redacted.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = logging_config(level=env.str("LOG_LEVEL", default="INFO"), json=LOG_FORMAT == "json")

# Optional error reporting: off unless SENTRY_DSN is set; never sends personal data.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
init_error_reporting(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)
