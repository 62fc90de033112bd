"""Sharing: logging a press on a share button, manual shares, confirm and undo, and the
texts and intent URLs an item page offers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import intents
from .membership import current_guidelines
from .models import Ambassador, Item, Network, Share, SiteSettings
from .reporting.rollups.changes import rollups_share_changed
from .tracking.links import CODE_LENGTH, tracked_link_get_or_create, tracked_link_url

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The order of buttons when the ambassador has not told us which networks they use.
NETWORK_ORDER = [
    Network.LINKEDIN,
    Network.WHATSAPP,
    Network.X,
    Network.FACEBOOK,
    Network.BLUESKY,
    Network.THREADS,
    Network.MASTODON,
    Network.EMAIL,
    Network.COPY,
]
TEXT_MAX_LENGTH = 5000


class ShareRefused(Exception):
    """Raised when a share may not be logged; ``reason`` says why (for the view)."""

    NOT_LIVE = "not_live"
    GUIDELINES = "guidelines"
    INACTIVE = "inactive"
    NETWORK = "network"
    INTERNAL = "internal"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _check_may_share(*, ambassador: Ambassador, item: Item, network: str) -> None:
    if network not in Network.values:
        raise ShareRefused(ShareRefused.NETWORK)
    if not ambassador.is_active:
        raise ShareRefused(ShareRefused.INACTIVE)
    if item.internal_only:
        raise ShareRefused(ShareRefused.INTERNAL)
    if not item.is_live():
        raise ShareRefused(ShareRefused.NOT_LIVE)
    if ambassador.needs_guidelines(current_guidelines()):
        raise ShareRefused(ShareRefused.GUIDELINES)


def share_log(*, ambassador: Ambassador, item: Item, network: str) -> Share:
    """One row per press: reports count distinct (ambassador, item, network) per day, so
    pressing twice is not two shares, and we never lose a press we cannot undo."""
    _check_may_share(ambassador=ambassador, item=item, network=network)
    tracked_link_get_or_create(ambassador=ambassador, item=item, network=network)
    share = Share.objects.create(ambassador=ambassador, item=item, network=network)
    rollups_share_changed(share=share)
    return share


def share_log_manual(*, ambassador: Ambassador, item: Item, network: str, post_url: str) -> Share:
    """A share made outside the buttons (e.g. from the network's app), confirmed at once."""
    _check_may_share(ambassador=ambassador, item=item, network=network)
    now = timezone.now()
    share = Share.objects.create(
        ambassador=ambassador,
        item=item,
        network=network,
        created_at=now,
        confirmed_at=now,
        post_url=post_url,
    )
    rollups_share_changed(share=share)
    return share


def share_confirm(*, share: Share, post_url: str = "") -> Share:
    share.confirmed_at = share.confirmed_at or timezone.now()
    share.undone_at = None
    fields = ["confirmed_at", "undone_at"]
    if post_url:
        share.post_url = post_url
        fields.append("post_url")
    share.save(update_fields=fields)
    rollups_share_changed(share=share)
    return share


def share_undo(*, share: Share) -> Share:
    """Keeps the row (and the tracked link: a posted link must keep working)."""
    if share.undone_at is None:
        share.undone_at = timezone.now()
        share.save(update_fields=["undone_at"])
        rollups_share_changed(share=share)
    return share


def ambassador_set_mastodon_instance(*, ambassador: Ambassador, instance: str) -> Ambassador:
    """Asked once, then remembered. Raises ValueError for something that is not a
    server name."""
    ambassador.mastodon_instance = intents.clean_instance(instance)
    ambassador.save(update_fields=["mastodon_instance"])
    return ambassador


def disclosure_for(item: Item, site: SiteSettings | None = None) -> str:
    if item.disclosure:
        return item.disclosure.strip()
    site = site or SiteSettings.load()
    return site.disclosure_for(item.language).strip()


def pick_variant(pool: list[str]) -> str:
    return secrets.choice(pool)


def suggested_text(*, item: Item, network: str, disclosure: str) -> str:
    """A random variant for the network (people posting the same words as twenty
    colleagues look staged), else any variant, else the title. Without the disclosure line:
    the ambassador edits only their own words, and ``share_intent`` adds the line to whatever
    they send (the page shows it under the text). Uses the prefetched ``share_texts``."""
    texts = list(item.share_texts.all())
    own = [t.text for t in texts if t.network == network]
    pool = own or [t.text for t in texts] or [item.title]
    return pick_variant(pool).strip()


NOTES = {
    Network.FACEBOOK: _("Facebook takes only the link. We copy your text first: paste it."),
    Network.X: _("X allows 280 characters. We shorten longer texts."),
    Network.BLUESKY: _("Bluesky allows 300 characters. We shorten longer texts."),
    Network.THREADS: _("Threads allows 500 characters. We shorten longer texts."),
    Network.MASTODON: _(
        "We open the share page of your own Mastodon server. Most servers allow 500 "
        "characters: we shorten longer texts."
    ),
    Network.EMAIL: _("Opens your e-mail program."),
    Network.COPY: _("For any other app: copy the text and the link, then paste them."),
}
LINKEDIN_NOTES = {
    intents.LINKEDIN_COMPOSER: _(
        "We open a new LinkedIn post with your text and link. We also copy the text, in case "
        "LinkedIn leaves the post empty: then paste it."
    ),
    intents.LINKEDIN_OFFSITE: _("LinkedIn takes only the link. We copy your text first: paste it."),
}
# How long a tracked link is (SITE_URL + "/s/" + the code): known before the link exists,
# so the counter can include it.
TRACKED_LINK_LENGTH_EXTRA = len("/s/") + CODE_LENGTH


@dataclass
class ShareOption:
    network: str
    label: StrOrPromise
    text: str
    note: StrOrPromise
    link_only: bool
    needs_instance: bool
    # The live counter: the network's limit for the whole post (0: none) and how many
    # characters the link and what joins it to the text take there.
    limit: int = 0
    link_length: int = 0
    # The disclosure line sharing adds after the text (the counter counts it too), and
    # whether the suggested text lacks it (then the page shows it as added).
    disclosure: str = ""
    adds_disclosure: bool = False


def linkedin_mode(site: SiteSettings | None = None) -> str:
    """How the LinkedIn button shares: "composer" (text and link) or "offsite" (link only)."""
    return (site or SiteSettings.load()).linkedin_share


def share_options(*, ambassador: Ambassador, item: Item) -> list[ShareOption]:
    """Every way to share an item, the ambassador's own networks first, each with its
    suggested text, its note and what the live counter needs (limit, link length)."""
    site = SiteSettings.load()
    mode = linkedin_mode(site)
    disclosure = disclosure_for(item, site)
    sample_url = settings.SITE_URL + "/" + "x" * (TRACKED_LINK_LENGTH_EXTRA - 1)
    mine = [n for n in ambassador.networks if n in NETWORK_ORDER]
    order = mine + [n for n in NETWORK_ORDER if n not in mine]
    options = []
    for network in order:
        is_link_only = intents.link_only(network, linkedin_mode=mode)
        limit = 0 if is_link_only else intents.POST_LIMITS.get(network, 0)
        text = suggested_text(item=item, network=network, disclosure=disclosure)
        options.append(
            ShareOption(
                network=network,
                label=Network(network).label,
                text=text,
                disclosure=disclosure,
                adds_disclosure=bool(disclosure) and disclosure not in text,
                note=LINKEDIN_NOTES[mode]
                if network == Network.LINKEDIN
                else NOTES.get(network, ""),
                link_only=is_link_only,
                needs_instance=network == Network.MASTODON and not ambassador.mastodon_instance,
                limit=limit,
                link_length=intents.post_length(network, "a", sample_url) - 1 if limit else 0,
            )
        )
    return options


def share_native_link(*, ambassador: Ambassador, item: Item) -> dict | None:
    """What the phone's share sheet needs before the press: the tracked link for "native"
    (created once, so the sheet can open inside the tap; a share is only logged after the
    sheet reports success) and the item's title (the page adds the disclosure line of the
    share options to the sheet's text). None for an internal-only item: it has no
    tracked links and nothing to share."""
    if item.internal_only:
        return None
    link = tracked_link_get_or_create(ambassador=ambassador, item=item, network=Network.NATIVE)
    return {"url": tracked_link_url(link), "title": item.title}


def share_intent(*, ambassador: Ambassador, item: Item, network: str, text: str) -> dict:
    """What the browser needs after a logged press: the tracked link and the network's
    share URL (empty for copy and the share sheet), plus the text to copy (the text as
    sent, shortened where the network's limit made us). The disclosure line (the item's,
    else the site's for the item's language) is added after the ambassador's text unless
    the text already holds it, for every network; shortening never cuts it."""
    link = tracked_link_get_or_create(ambassador=ambassador, item=item, network=network)
    url = tracked_link_url(link)
    site = SiteSettings.load()
    mode = linkedin_mode(site)
    keep = disclosure_for(item, site)
    text = (text or "").replace("\r\n", "\n").strip()[:TEXT_MAX_LENGTH]
    text = intents.add_disclosure(text, keep)
    intent = intents.intent_url(
        network,
        text=text,
        url=url,
        subject=item.title,
        instance=ambassador.mastodon_instance,
        keep=keep,
        linkedin_mode=mode,
    )
    sent = text
    if network in intents.POST_LIMITS and not intents.link_only(network, linkedin_mode=mode):
        sent = intents.fit(network, text, url, keep=keep)
    return {
        "url": url,
        "intent": intent,
        "text": text,
        "shortened": sent != text,
        "link_only": intents.link_only(network, linkedin_mode=mode),
        "copy_text": network == Network.LINKEDIN or intents.link_only(network, linkedin_mode=mode),
        "full_text": intents.with_link(text, url),
    }
