"""What manage.py and `make run` use: safe defaults, embedded services unless URLs are set."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="local-development-only-not-secret")
ALLOWED_EMAIL_DOMAINS = ALLOWED_EMAIL_DOMAINS or ["example.com", "example.nl"]  # noqa: F405
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# Our own 404/403/500 pages under DEBUG too (DEBUG_TECHNICAL_ERRORS=1 keeps Django's).
DEBUG_TECHNICAL_ERRORS = env.bool("DEBUG_TECHNICAL_ERRORS", default=False)
MIDDLEWARE = [*MIDDLEWARE, "ambassadors.error_pages.ErrorPagesMiddleware"]  # noqa: F405
