"""Every step comms take in a crisis: prepare a scenario, have it approved, activate it, post
updates, pause and resume ordinary content, close.

Each update is published as one urgent item per language (the feed, item pages, shares and
clicks then work as for any item) and carries its own alert state, which the sweeper in
``crisis.alerts`` follows, so a broker outage delays alerts but never loses them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..images import image_attach, image_clean
from ..models import (
    Ambassador,
    Channel,
    ContentPause,
    Crisis,
    CrisisScenario,
    CrisisUpdate,
    Department,
    Item,
    ItemEvent,
    Network,
    ShareText,
    SiteSettings,
    User,
    Webhook,
)
from ..publishing.rules import PublishingError
from ..publishing.slugs import unique_item_slug, unique_slug
from .placeholders import MissingPlaceholders, placeholder_names, placeholders_fill

log = logging.getLogger(__name__)
ScenarioStatus = CrisisScenario.Status
CrisisStatus = Crisis.Status
SCENARIO_FIELDS = (
    "name",
    "title_en",
    "body_en",
    "share_text_en",
    "title_nl",
    "body_nl",
    "share_text_nl",
    "internal_only",
    "channels",
    "must_reach",
)
TEXT_FIELDS = ("title_en", "body_en", "share_text_en", "title_nl", "body_nl", "share_text_nl")
# Networks that take suggested words; copy and the share sheet use the item's text as is.
SHARE_TEXT_NETWORKS = [
    Network.LINKEDIN,
    Network.X,
    Network.FACEBOOK,
    Network.WHATSAPP,
    Network.BLUESKY,
    Network.THREADS,
    Network.MASTODON,
    Network.EMAIL,
]


class CrisisError(PublishingError):
    """A crisis step that is not allowed right now; the message is shown to the user as is."""


# --- Who may do what ------------------------------------------------------------------------


def _require_comms(user: User | None) -> None:
    if user is None or not user.is_active or not user.has_perm("ambassadors.publish_item"):
        raise CrisisError(_("Only the comms team can do this."))


def is_comms_lead(user: User | None) -> bool:
    """A comms lead activates alone; otherwise two comms members are needed."""
    return bool(user and user.is_active and user.has_perm("ambassadors.publish_urgent"))


def _clean_channels(channels: Iterable[str]) -> list[str]:
    chosen = set(channels)
    return [code for code in Channel.values if code in chosen]


# --- Scenarios ------------------------------------------------------------------------------


def _scenario_check(values: dict[str, Any]) -> None:
    unknown = set(values) - set(SCENARIO_FIELDS) - {"audience"}
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")


@transaction.atomic
def scenario_create(
    *, by: User, name: str, audience: Sequence[Department] = (), **values: Any
) -> CrisisScenario:
    """A new draft scenario. It stays dark: nothing outside the crisis studio reads it."""
    _require_comms(by)
    _scenario_check(values)
    if "channels" in values:
        values["channels"] = _clean_channels(values["channels"])
    scenario = CrisisScenario.objects.create(
        name=name, author=by, status=ScenarioStatus.DRAFT, **values
    )
    scenario.audience.set(audience)
    return scenario


@transaction.atomic
def scenario_update(
    *,
    scenario: CrisisScenario,
    by: User,
    audience: Sequence[Department] | None = None,
    **values: Any,
) -> CrisisScenario:
    """Any change sends an approved scenario back to draft: what was approved is what
    goes out."""
    _require_comms(by)
    _scenario_check(values)
    if "channels" in values:
        values["channels"] = _clean_channels(values["channels"])
    changed = [name for name, value in values.items() if getattr(scenario, name) != value]
    for name in changed:
        setattr(scenario, name, values[name])
    if audience is not None:
        before = set(scenario.audience.values_list("pk", flat=True))
        if before != {d.pk for d in audience}:
            scenario.audience.set(audience)
            changed.append("audience")
    if changed and scenario.status != ScenarioStatus.DRAFT:
        scenario.status = ScenarioStatus.DRAFT
        scenario.approved_by = None
        scenario.approved_at = None
    scenario.save()
    return scenario


def scenario_submit(*, scenario: CrisisScenario, by: User) -> CrisisScenario:
    _require_comms(by)
    if not (scenario.title_en or scenario.title_nl) or not (scenario.body_en or scenario.body_nl):
        raise CrisisError(_("Write a title and a text in at least one language first."))
    moved = CrisisScenario.objects.filter(pk=scenario.pk, status=ScenarioStatus.DRAFT).update(
        status=ScenarioStatus.IN_REVIEW, updated_at=timezone.now()
    )
    if not moved:
        raise CrisisError(_("Only drafts can be sent for review."))
    scenario.status = ScenarioStatus.IN_REVIEW
    return scenario


def can_approve_scenario(*, scenario: CrisisScenario, user: User) -> bool:
    """Like items: a second comms member approves, unless review is off."""
    if scenario.status != ScenarioStatus.IN_REVIEW:
        return False
    return not SiteSettings.load().review_required or scenario.author_id != user.pk


def scenario_approve(
    *, scenario: CrisisScenario, by: User, now: datetime | None = None
) -> CrisisScenario:
    _require_comms(by)
    if not can_approve_scenario(scenario=scenario, user=by):
        raise CrisisError(_("Someone else from the comms team must approve your own scenario."))
    now = now or timezone.now()
    moved = CrisisScenario.objects.filter(pk=scenario.pk, status=ScenarioStatus.IN_REVIEW).update(
        status=ScenarioStatus.APPROVED, approved_by=by, approved_at=now, updated_at=now
    )
    if not moved:
        raise CrisisError(_("Someone changed this scenario just now. Reload the page."))
    scenario.status, scenario.approved_by, scenario.approved_at = ScenarioStatus.APPROVED, by, now
    return scenario


def scenario_return(*, scenario: CrisisScenario, by: User) -> CrisisScenario:
    _require_comms(by)
    moved = CrisisScenario.objects.filter(pk=scenario.pk, status=ScenarioStatus.IN_REVIEW).update(
        status=ScenarioStatus.DRAFT, updated_at=timezone.now()
    )
    if not moved:
        raise CrisisError(_("Only scenarios waiting for review can be sent back."))
    scenario.status = ScenarioStatus.DRAFT
    return scenario


def scenario_placeholders(*, scenario: CrisisScenario) -> list[str]:
    return placeholder_names(getattr(scenario, name) for name in TEXT_FIELDS)


# --- Reach ----------------------------------------------------------------------------------


def crisis_recipients(*, audience_ids: Sequence[int], must_reach: bool) -> QuerySet[Ambassador]:
    """Everyone active in the audience (empty = everyone) whose address works, whatever their
    content languages: a crisis must reach people who read only the other language too.
    People who turned urgent e-mails off are left out unless the alert is must-reach."""
    people = Ambassador.objects.mailable()
    if audience_ids:
        people = people.filter(department_id__in=list(audience_ids))
    if not must_reach:
        people = people.filter(urgent_alerts=True)
    return people


@dataclass
class Reach:
    """Who an alert reaches, per channel: people by e-mail, channels in Slack and Teams."""

    email: int = 0
    slack: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    email_off: int = 0
    texts: CrisisTexts | None = None  # the filled-in texts, on the activation preview


def crisis_reach(
    *, audience_ids: Sequence[int], must_reach: bool, channels: Sequence[str]
) -> Reach:
    """Shown before activation and before each update, so comms see who will get it."""
    reach = Reach()
    if Channel.EMAIL in channels:
        reach.email = crisis_recipients(audience_ids=audience_ids, must_reach=must_reach).count()
        if not must_reach:
            reach.email_off = (
                crisis_recipients(audience_ids=audience_ids, must_reach=True)
                .filter(urgent_alerts=False)
                .count()
            )
    hooks = Webhook.objects.filter(is_active=True, kind__in=list(channels)).order_by("name")
    for hook in hooks:
        getattr(reach, hook.kind).append(hook.name)
    return reach


# --- Activation -----------------------------------------------------------------------------


@dataclass
class CrisisTexts:
    """The words of a crisis's first update, placeholders already filled."""

    title_en: str = ""
    body_en: str = ""
    share_text_en: str = ""
    title_nl: str = ""
    body_nl: str = ""
    share_text_nl: str = ""

    def languages(self) -> list[str]:
        return [
            code
            for code in ("en", "nl")
            if getattr(self, f"title_{code}").strip() and getattr(self, f"body_{code}").strip()
        ]


def crisis_texts_fill(*, texts: dict[str, str], values: dict[str, str]) -> CrisisTexts:
    """All blanks must be filled (``MissingPlaceholders`` names those that are not), and at
    least one language needs a title and a text."""
    missing = [
        name
        for name in placeholder_names(texts.get(n, "") for n in TEXT_FIELDS)
        if not (values.get(name) or "").strip()
    ]
    if missing:
        raise MissingPlaceholders(missing)
    filled = CrisisTexts(
        **{name: placeholders_fill(texts.get(name, ""), values).strip() for name in TEXT_FIELDS}
    )
    for code in ("en", "nl"):
        title, body = getattr(filled, f"title_{code}"), getattr(filled, f"body_{code}")
        if bool(title) != bool(body):
            raise CrisisError(_("Each language needs both a title and a text, or neither."))
    if not filled.languages():
        raise CrisisError(_("Write a title and a text in at least one language."))
    return filled


def _unique_crisis_slug(title: str) -> str:
    return unique_slug(title, model=Crisis, fallback="crisis")


@transaction.atomic
def crisis_activate(
    *,
    by: User,
    texts: CrisisTexts,
    scenario: CrisisScenario | None = None,
    audience: Sequence[Department] = (),
    internal_only: bool = True,
    channels: Sequence[str] = (Channel.EMAIL, Channel.SLACK, Channel.TEAMS),
    must_reach: bool = False,
    send_now: bool = True,
    pause_content: bool = True,
    now: datetime | None = None,
) -> Crisis:
    """A comms lead's activation goes live at once: the crisis, its first update (published)
    and its alerts (now, or after the usual delay). Anyone else in comms starts a *pending*
    crisis that a second comms member confirms with ``crisis_confirm``; until then it is dark.

    Raises ``CrisisError`` when the scenario is not approved or another crisis is active.
    """
    _require_comms(by)
    now = now or timezone.now()
    if scenario is not None and scenario.status != ScenarioStatus.APPROVED:
        raise CrisisError(_("This scenario is not approved yet."))
    if not texts.languages():
        raise CrisisError(_("Write a title and a text in at least one language."))
    title = texts.title_en or texts.title_nl
    crisis = Crisis.objects.create(
        slug=_unique_crisis_slug(title),
        title=title,
        title_nl=texts.title_nl,
        scenario=scenario,
        internal_only=internal_only,
        channels=_clean_channels(channels),
        must_reach=must_reach,
        status=CrisisStatus.PENDING,
        requested_by=by,
        created_at=now,
        draft={
            "texts": texts.__dict__,
            "send_now": send_now,
            "pause_content": pause_content,
        },
    )
    crisis.audience.set(audience)
    if is_comms_lead(by):
        _go_live(crisis, by=by, now=now)
    return crisis


def crisis_confirm(*, crisis: Crisis, by: User, now: datetime | None = None) -> Crisis:
    """The second comms member's yes for a pending crisis (not the person who started it)."""
    _require_comms(by)
    if crisis.status != CrisisStatus.PENDING:
        raise CrisisError(_("This crisis is not waiting for a yes."))
    if crisis.requested_by_id == by.pk and not is_comms_lead(by):
        raise CrisisError(_("A second person from the comms team must confirm this."))
    with transaction.atomic():
        return _go_live(crisis, by=by, now=now or timezone.now())


def crisis_discard(*, crisis: Crisis, by: User) -> None:
    """A pending crisis nobody confirmed can be thrown away; it never went out."""
    _require_comms(by)
    deleted, _detail = Crisis.objects.filter(pk=crisis.pk, status=CrisisStatus.PENDING).delete()
    if not deleted:
        raise CrisisError(_("Only a crisis that is waiting for a yes can be thrown away."))


def _go_live(crisis: Crisis, *, by: User, now: datetime) -> Crisis:
    if Crisis.objects.filter(status=CrisisStatus.ACTIVE).exclude(pk=crisis.pk).exists():
        raise CrisisError(_("Another crisis is active. Close it first, or post an update to it."))
    moved = Crisis.objects.filter(pk=crisis.pk, status=CrisisStatus.PENDING).update(
        status=CrisisStatus.ACTIVE, activated_by=by, activated_at=now
    )
    if not moved:
        raise CrisisError(_("Someone changed this crisis just now. Reload the page."))
    crisis.status, crisis.activated_by, crisis.activated_at = CrisisStatus.ACTIVE, by, now
    draft = crisis.draft or {}
    texts = CrisisTexts(**draft.get("texts", {}))
    if draft.get("pause_content") and not ContentPause.objects.active().exists():
        content_pause_start(by=by, crisis=crisis, reason=crisis.title, now=now)
    _add_update(
        crisis,
        by=by,
        now=now,
        text_en=texts.body_en,
        text_nl=texts.body_nl,
        titles={"en": texts.title_en, "nl": texts.title_nl},
        share_texts={"en": texts.share_text_en, "nl": texts.share_text_nl},
        send_now=draft.get("send_now", True),
        alert=True,
    )
    return crisis


# --- Updates --------------------------------------------------------------------------------


def _save_image(item: Item, image: File) -> None:
    image.seek(0)
    image_attach(field=item.image, picture=image_clean(image, name=image.name))


def _update_title(crisis: Crisis, *, number: int, language: str, title: str = "") -> str:
    if number == 1 and title:
        return title
    with translation.override(language):
        return _("Update %(number)s: %(title)s") % {
            "number": number,
            "title": crisis.title_for(language),
        }


def _add_update(
    crisis: Crisis,
    *,
    by: User,
    now: datetime,
    text_en: str,
    text_nl: str,
    link: str = "",
    image: File | None = None,
    image_alt: str = "",
    titles: dict[str, str] | None = None,
    share_texts: dict[str, str] | None = None,
    send_now: bool,
    alert: bool,
) -> CrisisUpdate:
    titles, share_texts = titles or {}, share_texts or {}
    number = (crisis.updates.aggregate(n=Max("number"))["n"] or 0) + 1
    delay = timedelta(minutes=0 if send_now else SiteSettings.load().urgent_send_delay_minutes)
    update = CrisisUpdate(
        crisis=crisis,
        number=number,
        text_en=text_en.strip(),
        text_nl=text_nl.strip(),
        link=link,
        author=by,
        alert=alert,
        created_at=now,
        alerts_send_after=now + delay if alert else None,
        alerts_done_at=None if alert else now,
    )
    audience = list(crisis.audience.all())
    original: Item | None = None
    for code in ("en", "nl"):
        text = getattr(update, f"text_{code}")
        if not text:
            continue
        title = _update_title(crisis, number=number, language=code, title=titles.get(code, ""))
        item = Item(
            title=title[:200],
            slug=unique_item_slug(title),
            link=link,
            body=text,
            image_alt=image_alt if image else "",
            language=code,
            translation_of=original,
            status=Item.Status.PUBLISHED,
            publish_at=now,
            is_urgent=True,
            internal_only=crisis.internal_only,
            author=by,
        )
        if image:
            _save_image(item, image)
        item.save()
        item.audience.set(audience)
        words = (share_texts.get(code) or "").strip()
        if words and not crisis.internal_only:
            ShareText.objects.bulk_create(
                [ShareText(item=item, network=n, text=words) for n in SHARE_TEXT_NETWORKS]
            )
        ItemEvent.objects.create(
            item=item,
            actor=by,
            action=ItemEvent.Action.PUBLISHED,
            at=now,
            note=_("Crisis update %(number)s") % {"number": number},
        )
        setattr(update, f"item_{code}", item)
        original = original or item
    if original is None:
        raise CrisisError(_("Write the update in at least one language."))
    update.save()
    Crisis.objects.filter(pk=crisis.pk).update(updated_at=now)
    _after_change(crisis)
    if alert and send_now:
        transaction.on_commit(_sweep_soon)
    return update


def _sweep_soon() -> None:
    """Send-now alerts should not wait for beat's next minute. If the broker is down the
    sweeper sends them once it is back: the update's own state says they are due."""
    try:
        from .tasks import crisis_alert_sweep

        crisis_alert_sweep.delay()
    except Exception:  # noqa: BLE001 - the next sweep covers it
        log.warning("could not queue the crisis alert sweep now; beat will run it")


def crisis_update_add(
    *,
    crisis: Crisis,
    by: User,
    text_en: str = "",
    text_nl: str = "",
    link: str = "",
    image: File | None = None,
    image_alt: str = "",
    alert: bool = True,
    send_now: bool = True,
    now: datetime | None = None,
) -> CrisisUpdate:
    """A timestamped update to a live crisis, published at once; with ``alert`` it is sent
    to the same people again (e-mail once per person per update, and Slack/Teams)."""
    _require_comms(by)
    if not (text_en.strip() or text_nl.strip()):
        raise CrisisError(_("Write the update in at least one language."))
    if image and not image_alt.strip():
        raise CrisisError(_("Describe the picture for people who cannot see it."))
    with transaction.atomic():
        locked = Crisis.objects.select_for_update().filter(pk=crisis.pk).first()
        if locked is None or locked.status != CrisisStatus.ACTIVE:
            raise CrisisError(_("Only an active crisis can get updates."))
        try:
            return _add_update(
                locked,
                by=by,
                now=now or timezone.now(),
                text_en=text_en,
                text_nl=text_nl,
                link=link,
                image=image,
                image_alt=image_alt.strip(),
                send_now=send_now,
                alert=alert,
            )
        except IntegrityError as exc:  # two updates at the same moment on SQLite
            raise CrisisError(_("Someone posted an update just now. Reload the page.")) from exc


def update_alerts_can_cancel(*, update: CrisisUpdate, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        update.alerts_send_after is not None
        and update.alerts_cancelled_at is None
        and update.alerts_done_at is None
        and now < update.alerts_send_after
    )


def crisis_update_alerts_cancel(
    *, update: CrisisUpdate, by: User, now: datetime | None = None
) -> CrisisUpdate:
    """Stops an update's alerts during the delay; loses cleanly against the sweeper."""
    _require_comms(by)
    now = now or timezone.now()
    stopped = CrisisUpdate.objects.filter(
        pk=update.pk,
        alerts_cancelled_at__isnull=True,
        alerts_done_at__isnull=True,
        alerts_send_after__gt=now,
    ).update(alerts_cancelled_at=now)
    if not stopped:
        raise CrisisError(_("It is too late to stop these messages, or they were stopped."))
    update.alerts_cancelled_at = now
    return update


# --- Close ----------------------------------------------------------------------------------


@transaction.atomic
def crisis_close(
    *, crisis: Crisis, by: User, resume_content: bool = True, now: datetime | None = None
) -> ResumeReport | None:
    """Ends alerts (unsent ones are cancelled), takes the crisis updates out of the feed and
    marks the dark site "resolved" (it stays readable). Returns the resume report when it
    also ended the pause."""
    _require_comms(by)
    now = now or timezone.now()
    moved = Crisis.objects.filter(pk=crisis.pk, status=CrisisStatus.ACTIVE).update(
        status=CrisisStatus.CLOSED, closed_by=by, closed_at=now, updated_at=now
    )
    if not moved:
        raise CrisisError(_("Only an active crisis can be closed."))
    crisis.status, crisis.closed_by, crisis.closed_at = CrisisStatus.CLOSED, by, now
    crisis.updates.filter(alerts_done_at__isnull=True, alerts_cancelled_at__isnull=True).update(
        alerts_cancelled_at=now
    )
    Item.objects.filter(
        Q(crisis_update_en__crisis=crisis) | Q(crisis_update_nl__crisis=crisis),
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
    ).update(expires_at=now)
    _after_change(crisis)
    if resume_content and ContentPause.objects.active().exists():
        return content_pause_resume(by=by, now=now)
    return None


def _after_change(crisis: Crisis) -> None:
    from .site import dark_site_forget

    transaction.on_commit(lambda: dark_site_forget(slug=crisis.slug))


# --- Pause ----------------------------------------------------------------------------------


def content_pause_start(
    *, by: User, reason: str = "", crisis: Crisis | None = None, now: datetime | None = None
) -> ContentPause:
    """Holds every ordinary item scheduled from now on and the weekly e-mails. Works alone,
    without a crisis. Raises ``CrisisError`` when a pause is already on."""
    _require_comms(by)
    try:
        with transaction.atomic():
            pause = ContentPause.objects.create(
                started_at=now or timezone.now(), started_by=by, reason=reason[:200], crisis=crisis
            )
    except IntegrityError as exc:
        raise CrisisError(_("Other content is paused already.")) from exc
    return pause


def held_items(*, pause: ContentPause, now: datetime | None = None) -> QuerySet[Item]:
    """Ordinary published items whose time came after the pause began (held back now)."""
    now = now or timezone.now()
    return Item.objects.filter(
        status=Item.Status.PUBLISHED,
        is_urgent=False,
        publish_at__gt=pause.started_at,
        publish_at__lte=now,
    )


def waiting_items(*, pause: ContentPause, now: datetime | None = None) -> QuerySet[Item]:
    """Held items and those still planned for later, for the banner."""
    return Item.objects.filter(
        status=Item.Status.PUBLISHED, is_urgent=False, publish_at__gt=pause.started_at
    ).order_by("publish_at", "pk")


@dataclass
class ResumeReport:
    """``released``: went live at resume; ``missed``: their window passed during the pause,
    so they were not published (comms decide: new dates, or leave them)."""

    released: list[Item] = field(default_factory=list)
    missed: list[Item] = field(default_factory=list)


@transaction.atomic
def content_pause_resume(*, by: User, now: datetime | None = None) -> ResumeReport:
    """Ends the pause. Items whose time came during it go live now (publish_at moves to now,
    so they count as new in the feed and the next weekly e-mail); items whose end date also
    passed are listed, not silently published. Weekly e-mails go out again with the next
    dispatcher tick."""
    _require_comms(by)
    now = now or timezone.now()
    pause = ContentPause.objects.select_for_update().filter(is_on=True).first()
    if pause is None:
        raise CrisisError(_("Nothing is paused."))
    held = list(held_items(pause=pause, now=now).order_by("publish_at", "pk"))
    report = ResumeReport(
        released=[i for i in held if i.expires_at is None or i.expires_at > now],
        missed=[i for i in held if i.expires_at is not None and i.expires_at <= now],
    )
    Item.objects.filter(pk__in=[i.pk for i in report.released]).update(publish_at=now)
    ContentPause.objects.filter(pk=pause.pk).update(resumed_at=now, resumed_by=by, is_on=None)
    return report


def content_pause_active() -> ContentPause | None:
    return ContentPause.objects.active().select_related("started_by").first()


@dataclass(frozen=True)
class PauseBanner:
    started_at: datetime
    started_by: str
    reason: str
    items: list[tuple[int, str, datetime | None]]  # (pk, title, publish_at)
    digests_waiting: bool


def pause_banner() -> PauseBanner | None:
    """What the studio banner shows while a pause is on: who paused, when, why, and what
    waits (the first 20 items, oldest first)."""
    pause = content_pause_active()
    if pause is None:
        return None
    return PauseBanner(
        started_at=pause.started_at,
        started_by=pause.started_by.shown_name if pause.started_by else "",
        reason=pause.reason,
        items=list(waiting_items(pause=pause).values_list("pk", "title", "publish_at")[:20]),
        digests_waiting=SiteSettings.load().digests_enabled,
    )
