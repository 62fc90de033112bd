from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", _("English")
    NL = "nl", _("Dutch")


class ContentLanguages(models.TextChoices):
    EN = "en", _("English")
    NL = "nl", _("Dutch")
    BOTH = "both", _("English and Dutch")


class Network(models.TextChoices):
    """Also the utm_source of tracked links."""

    LINKEDIN = "linkedin", "LinkedIn"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    WHATSAPP = "whatsapp", "WhatsApp"
    BLUESKY = "bluesky", "Bluesky"
    THREADS = "threads", "Threads"
    MASTODON = "mastodon", "Mastodon"
    EMAIL = "email", _("E-mail")
    COPY = "copy", _("Copy")
    NATIVE = "native", _("Share sheet")


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class DeliveryStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown")
