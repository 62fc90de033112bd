"""Settings for a Celery worker that a test starts in its own process (and may SIGKILL).

The test passes the test database's real name in DATABASE_URL and the SMTP sink's port here.
"""

import os

from portal.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("PORTAL_TEST_SMTP_PORT", "25"))
