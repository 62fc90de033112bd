from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..identity.names import NAME_MAX_LENGTH, public_name, shown_name, validate_person_name
from .choices import ContentLanguages, Language, Weekday


class User(AbstractUser):
    """Our own user model from day one, so later changes need no table swap."""

    first_name = models.CharField(
        _("first name"),
        max_length=NAME_MAX_LENGTH,
        blank=True,
        validators=[validate_person_name],
        help_text=_("Used to greet you in e-mails."),
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, validators=[validate_person_name]
    )
    display_name = models.CharField(
        _("name others see"),
        max_length=NAME_MAX_LENGTH,
        blank=True,
        validators=[validate_person_name],
        help_text=_("On the leaderboard (if you switch it on) and in the studio."),
    )
    # Set when the person typed their names themselves: identity providers then leave
    # them alone unless IDENTITY_PROVIDER_NAMES_WIN is on.
    names_chosen_at = models.DateTimeField(_("names chosen at"), null=True, blank=True)
    scim_external_id = models.CharField(
        _("SCIM external ID"), max_length=254, blank=True, db_index=True
    )
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    department = models.ForeignKey(
        "Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department in the company directory"),
        help_text=_("Set by single sign-on or SCIM; then people cannot change it themselves."),
    )
    # Set when mail to this address bounces for good (ambassadors/mail/bounces.py); programme mail
    # stops and the person sees a banner until they change the address or ask to try again.
    email_undeliverable_at = models.DateTimeField(
        _("mail to this address bounces since"), null=True, blank=True, editable=False
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def shown_name(self) -> str:
        """For staff pages and "signed in as": display name, full name or e-mail."""
        return shown_name(
            display_name=self.display_name,
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email or self.username,
        )

    @property
    def public_name(self) -> str:
        """For other ambassadors: never an e-mail address; may be empty."""
        return public_name(
            display_name=self.display_name, first_name=self.first_name, last_name=self.last_name
        )

    @property
    def greeting_name(self) -> str:
        return self.first_name or self.display_name

    @property
    def is_comms(self) -> bool:
        return self.has_perm("ambassadors.publish_item")


def _in_language(english: str, dutch: str, language: str | None = None) -> str:
    """The Dutch name when the language (default: the active one) is Dutch and there is
    one, else the English name."""
    language = (language or get_language() or "en")[:2]
    return dutch if language == Language.NL and dutch else english


class NamedQuerySet(models.QuerySet):
    def by_label(self, language: str | None = None) -> Self:
        """Ordered by the name people see in ``language`` (default: the active one): the
        Dutch name where there is one, else the English name."""
        language = (language or get_language() or "en")[:2]
        if language == Language.NL:
            return self.order_by(Coalesce(NullIf("name_nl", Value("")), "name"), "pk")
        return self.order_by("name", "pk")


class Topic(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name (English)"), max_length=80)
    name_nl = models.CharField(
        _("name (Dutch)"),
        max_length=80,
        blank=True,
        help_text=_("Leave empty to use the English name."),
    )

    objects = NamedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (Dutch where given, else English)."""
        return _in_language(self.name, self.name_nl)

    def label_in(self, language: str) -> str:
        return _in_language(self.name, self.name_nl, language)


class Department(models.Model):
    name = models.CharField(_("name (English)"), max_length=120, unique=True)
    name_nl = models.CharField(
        _("name (Dutch)"),
        max_length=120,
        blank=True,
        help_text=_("Leave empty to use the English name."),
    )

    objects = NamedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (Dutch where given, else English)."""
        return _in_language(self.name, self.name_nl)

    def label_in(self, language: str) -> str:
        return _in_language(self.name, self.name_nl, language)


class GuidelinesQuerySet(models.QuerySet["Guidelines"]):
    def published(self, now: datetime | None = None) -> Self:
        return self.filter(published_at__lte=now or timezone.now())

    def current(self, now: datetime | None = None) -> Guidelines | None:
        return self.published(now).order_by("-version").first()


class Guidelines(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    body_en = models.TextField(_("text (English)"), help_text=_("Markdown."))
    body_nl = models.TextField(_("text (Dutch)"), help_text=_("Markdown."))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = GuidelinesQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("guidelines")
        verbose_name_plural = _("guidelines")

    def __str__(self) -> str:
        return _("Guidelines version %(version)s") % {"version": self.version}

    def body_for(self, language: str) -> str:
        return self.body_nl if language == Language.NL else self.body_en


class AmbassadorQuerySet(models.QuerySet):
    def active(self) -> Self:
        """Opted in, not opted out, with a working account: who may share and get mail."""
        return self.filter(opted_out_at__isnull=True, user__isnull=False, user__is_active=True)

    def mailable(self) -> Self:
        """Active, with an address, and that address does not bounce: who may get
        programme mail (digests, alerts, notifications)."""
        return (
            self.active().exclude(user__email="").filter(user__email_undeliverable_at__isnull=True)
        )


def default_time_zone() -> str:
    return settings.TIME_ZONE


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Ambassador(models.Model):
    """One per user who opted in. After account deletion the row stays, anonymised
    (user is NULL), so shares, links and past reports keep working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ambassador",
        verbose_name=_("user"),
    )
    opted_in_at = models.DateTimeField(_("opted in at"), default=timezone.now)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    guidelines_version = models.PositiveIntegerField(
        _("accepted guidelines version"), null=True, blank=True
    )
    guidelines_accepted_at = models.DateTimeField(
        _("guidelines accepted at"), null=True, blank=True
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ambassadors",
        verbose_name=_("department"),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        default=Language.EN,
        help_text=_("For this site and your e-mails."),
    )
    content_languages = models.CharField(
        _("content languages"),
        max_length=4,
        choices=ContentLanguages.choices,
        default=ContentLanguages.BOTH,
        help_text=_("The languages of the posts you want to share."),
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="followers", verbose_name=_("topics")
    )
    networks = models.JSONField(_("networks"), default=list, blank=True)
    mastodon_instance = models.CharField(
        _("Mastodon server"),
        max_length=253,
        blank=True,
        help_text=_("For example mastodon.social."),
    )
    digest_enabled = models.BooleanField(_("weekly e-mail"), default=True)
    digest_weekday = models.PositiveSmallIntegerField(
        _("day of the weekly e-mail"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    urgent_alerts = models.BooleanField(_("urgent e-mails"), default=True)
    leaderboard_visible = models.BooleanField(_("show my name on the leaderboard"), default=False)
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AmbassadorQuerySet.as_manager()

    class Meta:
        verbose_name = _("ambassador")
        verbose_name_plural = _("ambassadors")
        indexes = [models.Index(fields=["digest_weekday", "digest_enabled"])]

    def __str__(self) -> str:
        return self.user.shown_name if self.user is not None else str(_("former ambassador"))

    @property
    def is_active(self) -> bool:
        return self.opted_out_at is None and self.user_id is not None

    @property
    def languages(self) -> list[str]:
        if self.content_languages == ContentLanguages.BOTH:
            return [Language.EN, Language.NL]
        return [self.content_languages]

    def needs_guidelines(self, current: Guidelines | None) -> bool:
        return current is not None and (self.guidelines_version or 0) < current.version


class SiteSettings(models.Model):
    """One row, edited by comms in the studio."""

    review_required = models.BooleanField(_("a second comms member must approve"), default=True)
    digests_enabled = models.BooleanField(_("send weekly e-mails"), default=True)
    digest_send_hour = models.PositiveSmallIntegerField(
        _("hour to send weekly e-mails"),
        default=8,
        validators=[MaxValueValidator(23)],
        help_text=_("In each person's own time zone, 0–23."),
    )
    disclosure_en = models.CharField(
        _("disclosure line (English)"), max_length=100, default="#employee", blank=True
    )
    disclosure_nl = models.CharField(
        _("disclosure line (Dutch)"), max_length=100, default="#medewerker", blank=True
    )
    urgent_send_delay_minutes = models.PositiveSmallIntegerField(
        _("minutes before urgent e-mails go out"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(120)],
    )
    linkedin_share = models.CharField(
        _("sharing on LinkedIn"),
        max_length=10,
        choices=[
            ("composer", _("Open a new post with the text and the link filled in")),
            ("offsite", _("LinkedIn's official share page (link only, the text is copied)")),
        ],
        default="composer",
        help_text=_(
            "The new post is not an official LinkedIn feature. If it stops working, choose "
            "the official share page."
        ),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return str(_("Site settings"))

    @classmethod
    def load(cls) -> SiteSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def disclosure_for(self, language: str) -> str:
        return self.disclosure_nl if language == Language.NL else self.disclosure_en
