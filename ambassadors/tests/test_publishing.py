"""Publishing services: workflow permissions, scheduling, urgent alerts, slugs, share-text
limits, sanitising and pictures."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ambassadors.images import ImageRejected, image_validate, og_image_name
from ambassadors.models import Item, ItemEvent, JargonTerm, Network, SiteSettings
from ambassadors.publishing.items import item_create, item_duplicate, item_update
from ambassadors.publishing.revisions import revision_approve
from ambassadors.publishing.rules import ConfirmationNeeded, PublishingError, jargon_terms
from ambassadors.publishing.workflow import (
    item_alerts_cancel,
    item_approve,
    item_archive,
    item_publish,
    item_return,
    item_submit,
)
from ambassadors.rendering import markdown_to_html
from ambassadors.share_texts import share_text_count, share_text_length
from ambassadors.tests.factories import (
    AmbassadorFactory,
    ItemFactory,
    ShareTextFactory,
    TopicFactory,
)

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)

PLAIN_EN = (
    "We opened a new office in Utrecht. It is next to the station. There is room for two "
    "hundred people. You can park your bike in the basement. The roof has a garden with "
    "benches. Come and have a look. We would love to see you there."
)
CORPORATE_EN = (
    "In order to facilitate the organisational transformation, stakeholders are expected to "
    "leverage synergistic capabilities and operationalise comprehensive, cross-functional "
    "deliverables, thereby institutionalising sustainable value creation across the "
    "enterprise ecosystem while simultaneously optimising strategic alignment regarding the "
    "implementation of innovative, customer-centric methodologies and prioritisation "
    "frameworks."
)

Status = Item.Status
Action = ItemEvent.Action


def actions(item: Item) -> list[str]:
    return list(item.events.order_by("pk").values_list("action", flat=True))


def snapshot(item: Item) -> dict:
    """Everything a refused action must leave alone."""
    fresh = Item.objects.get(pk=item.pk)
    return {
        "status": fresh.status,
        "publish_at": fresh.publish_at,
        "slug": fresh.slug,
        "plain_language": fresh.plain_language,
        "alerts_send_after": fresh.alerts_send_after,
        "alerts_cancelled_at": fresh.alerts_cancelled_at,
        "events": actions(fresh),
    }


@pytest.fixture
def draft(comms_user):
    return item_create(by=comms_user, title="We opened a new office", body=PLAIN_EN)


@pytest.fixture
def in_review(draft, comms_user):
    return item_submit(item=draft, by=comms_user)


# --- Writing ---------------------------------------------------------------------------------


def test_create_makes_a_draft_with_slug_event_texts_and_report(comms_user):
    topic = TopicFactory(slug="news")
    item = item_create(
        by=comms_user,
        title="We opened a new office!",
        body=PLAIN_EN,
        language="en",
        topics=[topic],
        share_texts=[(Network.X, "  Our new office is open.  "), (Network.LINKEDIN, " ")],
    )
    item.refresh_from_db()
    assert item.slug == "we-opened-a-new-office"
    assert item.status == Status.DRAFT
    assert item.author == comms_user
    assert list(item.topics.all()) == [topic]
    assert list(item.share_texts.values_list("network", "text")) == [
        ("x", "Our new office is open.")
    ]
    assert actions(item) == [Action.CREATED]
    assert item.plain_language["band"] == "plain"
    assert item.plain_language["language"] == "en"


def test_same_title_gets_a_numbered_slug(comms_user):
    first = item_create(by=comms_user, title="Big news")
    second = item_create(by=comms_user, title="Big news")
    assert (first.slug, second.slug) == ("big-news", "big-news-2")


def test_slug_follows_the_title_until_published_then_is_frozen(draft, comms_user, comms_user_2):
    item_update(item=draft, by=comms_user, title="Our office in Utrecht")
    assert draft.slug == "our-office-in-utrecht"
    item_submit(item=draft, by=comms_user)
    item_approve(item=draft, by=comms_user_2)
    item_update(item=draft, by=comms_user, title="A brand new title")
    # A live item's new title waits for a second person (issue 12), then goes live.
    revision_approve(revision=draft.revisions.get(status="pending"), by=comms_user_2)
    draft.refresh_from_db()
    assert draft.title == "A brand new title"
    assert draft.slug == "our-office-in-utrecht"


def test_update_records_what_changed(draft, comms_user):
    item_update(item=draft, by=comms_user, title="New title", body=PLAIN_EN, is_featured=False)
    event = draft.events.get(action=Action.EDITED)
    assert event.note == "title"
    assert event.actor == comms_user


def test_update_without_changes_records_nothing(draft, comms_user):
    item_update(item=draft, by=comms_user, title=draft.title, body=draft.body, share_texts=[])
    assert actions(draft) == [Action.CREATED]


def test_archived_items_cannot_be_edited(draft, comms_user):
    item_archive(item=draft, by=comms_user)
    before = snapshot(draft)
    with pytest.raises(PublishingError):
        item_update(item=draft, by=comms_user, title="Changed")
    assert snapshot(draft) == before
    assert Item.objects.get(pk=draft.pk).title == "We opened a new office"


def test_ambassador_cannot_use_the_services(ambassador):
    with pytest.raises(PublishingError):
        item_create(by=ambassador.user, title="Sneaky")
    assert Item.objects.count() == 0


def test_duplicate_copies_words_texts_and_topics_into_a_new_draft(comms_user, comms_user_2):
    topic = TopicFactory(slug="jobs")
    original = ItemFactory(
        title="We are hiring", slug="we-are-hiring", topics=[topic], live=True, is_featured=True
    )
    ShareTextFactory(item=original, network=Network.X, text="Join us!")
    copy = item_duplicate(item=original, by=comms_user_2)
    assert copy.pk != original.pk
    assert copy.title == "We are hiring (copy)"
    assert copy.slug == "we-are-hiring-copy"
    assert copy.status == Status.DRAFT
    assert copy.publish_at is None
    assert copy.author == comms_user_2
    assert copy.is_featured is True
    assert list(copy.topics.all()) == [topic]
    assert list(copy.share_texts.values_list("network", "text")) == [("x", "Join us!")]
    assert copy.events.get().note == "Copy of we-are-hiring"


# --- Workflow --------------------------------------------------------------------------------


def test_submit_moves_a_draft_to_review(draft, comms_user):
    item_submit(item=draft, by=comms_user)
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    assert actions(draft) == [Action.CREATED, Action.SUBMITTED]


def test_author_cannot_approve_own_item_when_review_is_required(in_review, comms_user):
    before = snapshot(in_review)
    with pytest.raises(PublishingError):
        item_approve(item=in_review, by=comms_user)
    with pytest.raises(PublishingError):
        item_publish(item=in_review, by=comms_user)
    assert snapshot(in_review) == before
    assert before["status"] == Status.IN_REVIEW


def test_second_comms_member_approves_and_it_goes_live_now(in_review, comms_user_2):
    with time_machine.travel(NOW, tick=False):
        item_approve(item=in_review, by=comms_user_2, note="Looks good")
        in_review.refresh_from_db()
        assert in_review.status == Status.PUBLISHED
        assert in_review.publish_at == NOW
        assert Item.objects.live().get() == in_review
    assert actions(in_review) == [
        Action.CREATED,
        Action.SUBMITTED,
        Action.APPROVED,
        Action.PUBLISHED,
    ]
    approved = in_review.events.get(action=Action.APPROVED)
    assert (approved.actor, approved.note) == (comms_user_2, "Looks good")
    assert in_review.plain_language["band"] == "plain"


def test_with_review_off_the_author_publishes_directly(review_off, draft, comms_user):
    with time_machine.travel(NOW, tick=False):
        item_publish(item=draft, by=comms_user)
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.publish_at == NOW
    assert actions(draft) == [Action.CREATED, Action.PUBLISHED]


def test_with_review_on_comms_cannot_skip_review(draft, comms_user_2):
    before = snapshot(draft)
    with pytest.raises(PublishingError):
        item_publish(item=draft, by=comms_user_2)
    assert snapshot(draft) == before


def test_comms_lead_publishes_urgent_item_without_review(comms_lead):
    urgent = item_create(by=comms_lead, title="Office closed today", body=PLAIN_EN, is_urgent=True)
    with time_machine.travel(NOW, tick=False):
        item_publish(item=urgent, by=comms_lead)
    urgent.refresh_from_db()
    assert urgent.status == Status.PUBLISHED
    assert urgent.alerts_send_after == NOW + timedelta(minutes=10)
    assert actions(urgent) == [Action.CREATED, Action.PUBLISHED]


def test_comms_lead_still_needs_review_for_an_ordinary_item(comms_lead):
    item = item_create(by=comms_lead, title="A normal story", body=PLAIN_EN)
    before = snapshot(item)
    with pytest.raises(PublishingError):
        item_publish(item=item, by=comms_lead)
    assert snapshot(item) == before


def test_ordinary_comms_member_cannot_publish_urgent_alone(comms_user):
    urgent = item_create(by=comms_user, title="Office closed", body=PLAIN_EN, is_urgent=True)
    before = snapshot(urgent)
    with pytest.raises(PublishingError):
        item_publish(item=urgent, by=comms_user)
    assert snapshot(urgent) == before


def test_send_back_needs_a_note_and_returns_to_draft(in_review, comms_user_2):
    before = snapshot(in_review)
    with pytest.raises(PublishingError):
        item_return(item=in_review, by=comms_user_2, note="   ")
    assert snapshot(in_review) == before
    item_return(item=in_review, by=comms_user_2, note="Please add a picture.")
    in_review.refresh_from_db()
    assert in_review.status == Status.DRAFT
    assert in_review.events.get(action=Action.RETURNED).note == "Please add a picture."


def test_archive_takes_a_published_item_out_of_the_feed(in_review, comms_user, comms_user_2):
    item_approve(item=in_review, by=comms_user_2)
    item_archive(item=in_review, by=comms_user)
    assert Item.objects.get(pk=in_review.pk).status == Status.ARCHIVED
    assert not Item.objects.live().exists()
    with pytest.raises(PublishingError):
        item_archive(item=in_review, by=comms_user)


def test_stale_copy_cannot_move_an_item_twice(in_review, comms_user_2, comms_lead):
    stale = Item.objects.get(pk=in_review.pk)
    item_approve(item=in_review, by=comms_user_2)
    with pytest.raises(PublishingError):
        item_approve(item=stale, by=comms_lead)
    assert actions(in_review).count(Action.PUBLISHED) == 1


# --- Plain language at publish ---------------------------------------------------------------


def test_corporate_text_needs_explicit_confirmation(review_off, comms_user):
    item = item_create(by=comms_user, title="Strategic update", body=CORPORATE_EN)
    before = snapshot(item)
    with pytest.raises(ConfirmationNeeded) as refused:
        item_publish(item=item, by=comms_user)
    assert refused.value.report.band == "corporate"
    assert snapshot(item) == before
    item_publish(item=item, by=comms_user, confirm_corporate=True)
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert item.plain_language["band"] == "corporate"


def test_report_uses_comms_jargon_terms(review_off, comms_user):
    JargonTerm.objects.create(language="en", term="office", suggestion="workplace")
    item = item_create(by=comms_user, title="Hello", body=PLAIN_EN)
    item_publish(item=item, by=comms_user)
    item.refresh_from_db()
    found = {entry["term"]: entry["suggestion"] for entry in item.plain_language["jargon"]}
    assert found["office"] == "workplace"


def test_jargon_terms_are_cached(django_assert_num_queries, db):
    JargonTerm.objects.create(language="nl", term="middels", suggestion="met")
    assert jargon_terms(language="nl") == [("middels", "met")]
    with django_assert_num_queries(0):
        assert jargon_terms(language="nl") == [("middels", "met")]


# --- Scheduling ------------------------------------------------------------------------------


def test_scheduled_item_appears_and_expires_on_time(in_review, comms_user, comms_user_2):
    ambassador = AmbassadorFactory()
    start, end = NOW + timedelta(hours=2), NOW + timedelta(days=1)
    item_update(item=in_review, by=comms_user, publish_at=start, expires_at=end)
    with time_machine.travel(NOW, tick=False):
        item_approve(item=in_review, by=comms_user_2)
        assert list(Item.objects.live().for_ambassador(ambassador)) == []
    with time_machine.travel(start - timedelta(seconds=1), tick=False):
        assert list(Item.objects.live()) == []
    with time_machine.travel(start, tick=False):
        assert list(Item.objects.live().for_ambassador(ambassador)) == [in_review]
    with time_machine.travel(end - timedelta(seconds=1), tick=False):
        assert list(Item.objects.live()) == [in_review]
    with time_machine.travel(end, tick=False):
        assert list(Item.objects.live()) == []
    assert Item.objects.get(pk=in_review.pk).status == Status.PUBLISHED


def test_a_planned_time_that_passed_before_approval_becomes_the_approval_time(
    in_review, comms_user, comms_user_2
):
    item_update(item=in_review, by=comms_user, publish_at=NOW - timedelta(hours=3))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        item_approve(item=in_review, by=comms_user_2)
    assert Item.objects.get(pk=in_review.pk).publish_at == NOW + timedelta(hours=1)


def test_end_before_start_is_refused(review_off, comms_user):
    item = item_create(
        by=comms_user,
        title="Backwards",
        body=PLAIN_EN,
        publish_at=NOW + timedelta(days=2),
        expires_at=NOW + timedelta(days=1),
    )
    before = snapshot(item)
    with time_machine.travel(NOW, tick=False), pytest.raises(PublishingError):
        item_publish(item=item, by=comms_user)
    assert snapshot(item) == before


# --- Urgent alerts ---------------------------------------------------------------------------


def test_urgent_alerts_wait_for_a_future_publish_time(comms_lead):
    site = SiteSettings.load()
    site.urgent_send_delay_minutes = 15
    site.save()
    start = NOW + timedelta(hours=3)
    urgent = item_create(
        by=comms_lead, title="Storm plan", body=PLAIN_EN, is_urgent=True, publish_at=start
    )
    with time_machine.travel(NOW, tick=False):
        item_publish(item=urgent, by=comms_lead)
    assert Item.objects.get(pk=urgent.pk).alerts_send_after == start + timedelta(minutes=15)


def test_alerts_can_be_cancelled_during_the_delay(comms_lead, comms_user):
    urgent = item_create(by=comms_lead, title="Office closed", body=PLAIN_EN, is_urgent=True)
    with time_machine.travel(NOW, tick=False):
        item_publish(item=urgent, by=comms_lead)
    with time_machine.travel(NOW + timedelta(minutes=9), tick=False):
        item_alerts_cancel(item=urgent, by=comms_user)
    urgent.refresh_from_db()
    assert urgent.alerts_cancelled_at == NOW + timedelta(minutes=9)
    assert urgent.events.get(action=Action.ALERTS_CANCELLED).actor == comms_user
    with pytest.raises(PublishingError):
        item_alerts_cancel(item=urgent, by=comms_user)


def test_alerts_cannot_be_cancelled_after_the_delay(comms_lead):
    urgent = item_create(by=comms_lead, title="Office closed", body=PLAIN_EN, is_urgent=True)
    with time_machine.travel(NOW, tick=False):
        item_publish(item=urgent, by=comms_lead)
    before = snapshot(urgent)
    with (
        time_machine.travel(NOW + timedelta(minutes=10), tick=False),
        pytest.raises(PublishingError),
    ):
        item_alerts_cancel(item=urgent, by=comms_lead)
    assert snapshot(urgent) == before


def test_published_item_cannot_become_urgent(comms_user, comms_user_2, in_review):
    item_approve(item=in_review, by=comms_user_2)
    before = snapshot(in_review)
    with pytest.raises(PublishingError):
        item_update(item=in_review, by=comms_user, is_urgent=True)
    assert snapshot(in_review) == before
    assert Item.objects.get(pk=in_review.pk).is_urgent is False


# --- Share texts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "text", "length"),
    [
        (Network.X, "Read this https://example.com/a/very/long/path?with=query&and=more", 33),
        (Network.X, "two links http://a.nl and https://c.de/e", 61),
        (Network.X, "bare example.com link", 5 + 23 + 5),
        (Network.MASTODON, "Read this https://example.com/a/very/long/path", 10 + 23),
        (Network.X, "日本", 4),
        (Network.X, "café", 4),
        (Network.BLUESKY, "Read this https://example.com/a/very/long/path", 46),
        (Network.LINKEDIN, "café", 4),
    ],
)
def test_share_text_length_counts_like_the_network(network, text, length):
    assert share_text_length(text=text, network=network) == length


@pytest.mark.parametrize(
    ("network", "limit", "reserve"),
    [
        # X: an empty line and "#employee" (2 + 9), a space and the link (23).
        (Network.X, 280, 2 + 9 + 1 + 23),
        # Bluesky: the disclosure, a new line and our tracked link as typed
        # (http://testserver + /s/ + the 10-character code).
        (Network.BLUESKY, 300, 2 + 9 + 1 + 17 + 3 + 10),
        # Mastodon counts every link as 23, like X; the link comes after an empty line.
        (Network.MASTODON, 500, 2 + 9 + 2 + 23),
        # LinkedIn and Threads count the link as typed, after an empty line.
        (Network.LINKEDIN, 3000, 2 + 9 + 2 + 17 + 3 + 10),
        (Network.THREADS, 500, 2 + 9 + 2 + 17 + 3 + 10),
    ],
)
def test_share_text_limit_includes_link_and_disclosure(network, limit, reserve):
    room = limit - reserve
    fits = share_text_count(text="a" * room, network=network, disclosure="#employee")
    over = share_text_count(text="a" * (room + 1), network=network, disclosure="#employee")
    assert (fits.used, fits.limit, fits.fits) == (limit, limit, True)
    assert (over.used, over.fits) == (limit + 1, False)


@pytest.mark.parametrize("network", [Network.X, Network.BLUESKY, Network.LINKEDIN])
def test_a_text_that_holds_the_disclosure_is_not_counted_twice(network):
    plain = share_text_count(text="Proud of this.", network=network, disclosure="#employee")
    holding = share_text_count(
        text="Proud of this.\n\n#employee", network=network, disclosure="#employee"
    )
    assert holding.used == plain.used
    inside = share_text_count(
        text="Proud #employee of this.", network=network, disclosure="#employee"
    )
    assert inside.used == plain.used - 1  # "#employee " inside, not "\n\n#employee" after


def test_x_counts_any_link_in_the_text_as_23():
    text = "a" * 100 + " https://example.com/" + "x" * 200
    count = share_text_count(text=text, network=Network.X, disclosure="")
    assert count.used == 100 + 1 + 23 + 1 + 23


# --- Sanitising ------------------------------------------------------------------------------


class ElementCollector(HTMLParser):
    """The elements and attributes a browser would build from the HTML (text is just text)."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def elements(html: str) -> ElementCollector:
    collector = ElementCollector()
    collector.feed(html)
    return collector


DANGEROUS_BODIES = [
    "<script>alert(1)</script> hello",
    '<iframe src="https://evil.example"></iframe>',
    '<img src=x onerror="alert(1)">',
    '<p onclick="steal()">hi</p>',
    "[click](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![pic](javascript:alert(1))",
]


def assert_harmless(html: str) -> None:
    found = elements(html)
    assert not {"script", "iframe", "img", "object", "embed", "style"} & set(found.tags)
    assert [name for name, _value in found.attributes if name.startswith("on")] == []
    for name, value in found.attributes:
        if name in ("href", "src"):
            assert value.lower().startswith(("https:", "http:", "mailto:")), value


@pytest.mark.parametrize("body", DANGEROUS_BODIES)
def test_markdown_rendering_strips_dangerous_html(body):
    assert_harmless(markdown_to_html(body))


def test_markdown_keeps_safe_links():
    html = markdown_to_html("[Our site](https://example.com)")
    assert html == (
        '<p><a href="https://example.com" rel="noopener noreferrer nofollow">Our site</a></p>\n'
    )


# --- Pictures --------------------------------------------------------------------------------


def picture(fmt="JPEG", size=(1600, 900), exif=True, name=None) -> SimpleUploadedFile:
    img = Image.new("RGB", size, (200, 40, 40))
    buf = io.BytesIO()
    extra = {}
    if exif and fmt in ("JPEG", "WEBP", "PNG"):
        data = img.getexif()
        data[0x010F] = "SecretCam"  # camera make
        data[0x0131] = "Phone 12"  # software
        extra["exif"] = data
    img.save(buf, fmt, **extra)
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}[fmt]
    return SimpleUploadedFile(name or f"photo.{ext}", buf.getvalue(), content_type=f"image/{ext}")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("notes.jpg", b"this is not a picture", content_type="image/jpeg"),
            "We cannot read this file as a picture. Please upload a JPG, PNG, WebP or HEIC file.",
        ),
        (picture("GIF", exif=False), "We take JPG, PNG, WebP and HEIC pictures. This file is GIF."),
        (picture("BMP", exif=False), "We take JPG, PNG, WebP and HEIC pictures. This file is BMP."),
        (
            picture(size=(400, 300)),
            "This picture is too small (400 × 300 pixels). It needs to be at least 600 × 315, "
            "or it looks blurry when shared.",
        ),
    ],
)
def test_unusable_pictures_are_refused_with_a_clear_message(upload, message):
    with pytest.raises(ImageRejected) as refused:
        image_validate(upload)
    assert str(refused.value) == message


def test_pictures_over_5_mb_are_refused():
    upload = picture()
    upload.size = int(7.2 * 1024 * 1024)
    with pytest.raises(ImageRejected) as refused:
        image_validate(upload)
    assert str(refused.value) == (
        "This picture is 7.2\xa0MB. The limit is 5.0\xa0MB. Please use a smaller file."
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_pictures_are_stored_without_metadata_plus_an_open_graph_copy(comms_user, fmt):
    upload = picture(fmt)
    image_validate(upload)
    item = item_create(by=comms_user, title="With a picture", image=upload, image_alt="Red")
    with default_storage.open(item.image.name) as stored:
        img = Image.open(stored)
        assert img.format == fmt
        assert img.size == (1600, 900)
        assert dict(img.getexif()) == {}
        assert "exif" not in img.info
    with default_storage.open(og_image_name(item.image.name)) as og:
        img = Image.open(og)
        assert (img.format, img.size) == ("JPEG", (1200, 630))
        assert dict(img.getexif()) == {}


def test_large_pictures_are_scaled_down(comms_user):
    item = item_create(by=comms_user, title="Huge", image=picture(size=(4800, 2700)), image_alt="x")
    with default_storage.open(item.image.name) as stored:
        assert Image.open(stored).size == (2400, 1350)


def test_rotated_phone_photos_are_stored_upright(comms_user):
    img = Image.new("RGB", (1600, 900), "blue")
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90° on display
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    item = item_create(
        by=comms_user,
        title="Upright",
        image=ContentFile(buf.getvalue(), name="phone.jpg"),
        image_alt="Blue",
    )
    with default_storage.open(item.image.name) as stored:
        assert Image.open(stored).size == (900, 1600)
