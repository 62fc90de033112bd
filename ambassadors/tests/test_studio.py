"""Studio pages through HTTP: access, list, writing, workflow buttons, settings."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from ambassadors.models import Item, ItemEvent, Network, ShareText, SiteSettings, User
from ambassadors.publishing.items import item_create
from ambassadors.publishing.workflow import item_publish, item_submit
from ambassadors.tests.factories import (
    AmbassadorFactory,
    DepartmentFactory,
    ItemFactory,
    ShareTextFactory,
    TopicFactory,
)
from ambassadors.tests.test_publishing import CORPORATE_EN, PLAIN_EN, assert_harmless

Status = Item.Status
Action = ItemEvent.Action
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # a Wednesday


def studio_url(name: str, item: Item | None = None) -> str:
    return reverse(f"ambassadors:{name}", args=[item.pk] if item else [])


def form_data(**overrides) -> dict:
    """A complete item form post with two share texts."""
    data = {
        "title": "We opened a new office",
        "link": "https://example.com/news",
        "body": PLAIN_EN,
        "language": "en",
        "image_alt": "",
        "disclosure": "",
        "publish_at": "",
        "expires_at": "",
        "texts-TOTAL_FORMS": "2",
        "texts-INITIAL_FORMS": "0",
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "30",
        "texts-0-network": "x",
        "texts-0-text": "Our new office is open!",
        "texts-1-network": "linkedin",
        "texts-1-text": "Come and see our new office next to the station.",
    }
    data.update(overrides)
    return data


def picture_upload(size=(1600, 900)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, "green").save(buf, "JPEG")
    return SimpleUploadedFile("office.jpg", buf.getvalue(), content_type="image/jpeg")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def snapshot(item: Item) -> tuple:
    fresh = Item.objects.get(pk=item.pk)
    return (
        fresh.status,
        fresh.title,
        fresh.publish_at,
        fresh.alerts_cancelled_at,
        list(fresh.events.order_by("pk").values_list("action", flat=True)),
        Item.objects.count(),
    )


@pytest.fixture
def draft(comms_user):
    item = ItemFactory(
        title="We opened a new office",
        slug="we-opened-a-new-office",
        link="",
        body=PLAIN_EN,
        author=comms_user,
    )
    ShareTextFactory(item=item, network=Network.X, text="Our new office is open!")
    ItemEvent.objects.create(item=item, actor=comms_user, action=Action.CREATED)
    return item


# --- Access ----------------------------------------------------------------------------------


# Anonymous visitors and ambassadors on every studio URL, and a POST without the CSRF token:
# test_access_rules.py walks them all.


@pytest.mark.parametrize("name", ["studio_items", "studio_review", "studio_settings"])
def test_employees_who_are_not_comms_get_403(client_as, employee, name):
    assert client_as(employee).get(studio_url(name)).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "studio_item_submit",
        "studio_item_return",
        "studio_item_archive",
        "studio_item_duplicate",
        "studio_item_alerts_cancel",
    ],
)
def test_state_changes_are_post_only(client_as, comms_user, draft, name):
    before = snapshot(draft)
    assert client_as(comms_user).get(studio_url(name, draft)).status_code == 405
    assert snapshot(draft) == before


# --- The item list ---------------------------------------------------------------------------


def make_items(count: int, topic, author) -> None:
    for n in range(count):
        status = [Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED][n % 3]
        item = ItemFactory(
            status=status,
            author=author,
            topics=[topic],
            publish_at=NOW if status == Status.PUBLISHED else None,
            plain_language={"band": "plain"},
        )
        ShareTextFactory(item=item)


@pytest.mark.parametrize("url", ["/studio/", "/studio/?status=published", "/studio/review/"])
def test_list_queries_do_not_grow_with_items(client_as, comms_user, django_assert_num_queries, url):
    topic = TopicFactory(slug="news")
    client = client_as(comms_user)
    make_items(3, topic, comms_user)
    client.get(url)  # warm up: site settings row, permission cache
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    make_items(27, topic, comms_user)
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200


def test_list_query_count_is_pinned(client_as, comms_user, django_assert_num_queries):
    topic = TopicFactory(slug="news")
    client = client_as(comms_user)
    for count in (3, 30):
        Item.objects.all().delete()
        make_items(count, topic, comms_user)
        client.get("/studio/")
        with django_assert_num_queries(LIST_QUERIES):
            response = client.get("/studio/")
        assert len(response.context["rows"]) == count


LIST_QUERIES = 12


def test_list_tabs_search_and_filters(client_as, comms_user, comms_user_2):
    news = TopicFactory(slug="news", name="News")
    ItemFactory(title="Solar roofs everywhere", status=Status.PUBLISHED, publish_at=NOW)
    ItemFactory(title="Solar car park", status=Status.DRAFT, language="nl", topics=[news])
    ItemFactory(title="New canteen", status=Status.IN_REVIEW, author=comms_user, is_urgent=True)
    ItemFactory(title="Old story", status=Status.ARCHIVED)
    client = client_as(comms_user)

    def titles(query: str) -> list[str]:
        response = client.get(f"/studio/?{query}")
        assert response.status_code == 200
        return sorted(item.title for item, _state in response.context["rows"])

    assert titles("") == ["New canteen", "Old story", "Solar car park", "Solar roofs everywhere"]
    assert titles("status=draft") == ["Solar car park"]
    assert titles("status=in_review") == ["New canteen"]
    assert titles("status=archived") == ["Old story"]
    assert titles("q=solar") == ["Solar car park", "Solar roofs everywhere"]
    assert titles("q=solar&status=published") == ["Solar roofs everywhere"]
    assert titles("language=nl") == ["Solar car park"]
    assert titles("topic=news") == ["Solar car park"]
    assert titles("flag=urgent") == ["New canteen"]
    assert titles("flag=mine") == ["New canteen"]
    response = client.get("/studio/")
    assert [(code, count) for code, _label, count in response.context["tabs"]] == [
        ("all", 4),
        ("draft", 1),
        ("in_review", 1),
        ("published", 1),
        ("archived", 1),
    ]


def test_list_shows_week_volume_next_to_active_ambassadors(client_as, comms_user):
    AmbassadorFactory.create_batch(3)
    AmbassadorFactory(opted_out_at=NOW)
    monday = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    for day in range(6):
        ItemFactory(status=Status.PUBLISHED, publish_at=monday + timedelta(days=day))
    ItemFactory(status=Status.PUBLISHED, publish_at=monday + timedelta(days=8))
    ItemFactory(status=Status.PUBLISHED, publish_at=monday - timedelta(days=2))
    ItemFactory(status=Status.DRAFT, publish_at=monday)
    with time_machine.travel(NOW, tick=False):
        response = client_as(comms_user).get("/studio/")
    volume = response.context["volume"]
    assert (volume["this_week"], volume["next_week"], volume["ambassadors"]) == (6, 1, 3)
    assert volume["too_many"] is True
    assert "That is more than 5 items this week." in response.content.decode()


def test_list_shows_scheduled_live_and_ended(client_as, comms_user):
    ItemFactory(
        title="Later",
        status=Status.PUBLISHED,
        publish_at=NOW + timedelta(hours=1),
        expires_at=NOW + timedelta(hours=2),
    )
    client = client_as(comms_user)
    for moment, state in [
        (NOW, "scheduled"),
        (NOW + timedelta(hours=1), "live"),
        (NOW + timedelta(hours=2), "ended"),
    ]:
        with time_machine.travel(moment, tick=False):
            client.force_login(comms_user)
            rows = client.get("/studio/").context["rows"]
        assert [s for _item, s in rows] == [state]


# --- Writing and editing ---------------------------------------------------------------------


def test_comms_writes_a_draft_with_share_texts(client_as, comms_user):
    topic = TopicFactory(slug="news")
    sales = DepartmentFactory(name="Sales")
    response = client_as(comms_user).post(
        "/studio/items/new/",
        form_data(topics=[topic.pk], audience=[sales.pk], is_featured="on"),
    )
    item = Item.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/studio/items/{item.pk}/"
    assert (item.title, item.slug, item.status, item.author) == (
        "We opened a new office",
        "we-opened-a-new-office",
        Status.DRAFT,
        comms_user,
    )
    assert item.is_featured is True
    assert list(item.topics.all()) == [topic]
    assert list(item.audience.all()) == [sales]
    assert sorted(item.share_texts.values_list("network", "text")) == [
        ("linkedin", "Come and see our new office next to the station."),
        ("x", "Our new office is open!"),
    ]
    assert list(item.events.values_list("action", flat=True)) == [Action.CREATED]


def test_share_text_over_the_x_limit_is_refused_with_the_count(client_as, comms_user):
    room = 280 - (2 + len("#employee") + 1 + 23)  # an empty line and the line; the link
    response = client_as(comms_user).post(
        "/studio/items/new/", form_data(**{"texts-0-text": "a" * (room + 1)})
    )
    assert response.status_code == 200
    assert Item.objects.count() == 0
    errors = response.context["formset"].forms[0].errors["text"]
    assert errors == [
        "Too long for X: 281 of 280 characters, counting the link and the line we add. "
        "Make it 1 shorter."
    ]


def test_share_text_uses_the_items_own_disclosure_line(client_as, comms_user):
    room = 300 - (2 + len("#ad") + 1 + 17 + 3 + 10)  # the line; a new line, the link
    ok = client_as(comms_user).post(
        "/studio/items/new/",
        form_data(disclosure="#ad", **{"texts-0-network": "bluesky", "texts-0-text": "b" * room}),
    )
    assert ok.status_code == 302
    assert ShareText.objects.get(network="bluesky").text == "b" * room


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("office.jpg", b"not a picture at all", content_type="image/jpeg"),
            "We cannot read this file as a picture. Please upload a JPG, PNG, WebP or HEIC file.",
        ),
        (
            picture_upload(size=(300, 200)),
            "This picture is too small (300 × 200 pixels). It needs to be at least 600 × 315, "
            "or it looks blurry when shared.",
        ),
    ],
)
def test_unusable_picture_shows_a_clear_error(client_as, comms_user, upload, message):
    response = client_as(comms_user).post(
        "/studio/items/new/", form_data(image=upload, image_alt="Our office")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["image"] == [message]
    assert Item.objects.count() == 0


def test_picture_needs_a_description(client_as, comms_user):
    response = client_as(comms_user).post("/studio/items/new/", form_data(image=picture_upload()))
    assert response.context["form"].errors["image_alt"] == [
        "Describe the picture in a few words, for people who cannot see it."
    ]
    assert Item.objects.count() == 0


def test_picture_upload_is_stored(client_as, comms_user):
    response = client_as(comms_user).post(
        "/studio/items/new/", form_data(image=picture_upload(), image_alt="Our office")
    )
    assert response.status_code == 302
    item = Item.objects.get()
    assert item.image.name.startswith("items/")
    assert item.image_alt == "Our office"


def test_end_must_be_after_start(client_as, comms_user):
    response = client_as(comms_user).post(
        "/studio/items/new/",
        form_data(publish_at="2026-12-02T10:00", expires_at="2026-12-01T10:00"),
    )
    assert response.context["form"].errors["expires_at"] == ["The end must be after the start."]
    assert Item.objects.count() == 0


def test_only_web_links(client_as, comms_user):
    response = client_as(comms_user).post(
        "/studio/items/new/", form_data(link="ftp://example.com/file")
    )
    assert response.context["form"].errors["link"] == ["Links must start with https:// or http://."]


def test_edit_page_shows_current_values(client_as, comms_user, draft):
    response = client_as(comms_user).get(f"/studio/items/{draft.pk}/edit/")
    assert response.status_code == 200
    assert response.context["form"]["title"].value() == "We opened a new office"
    assert [f["text"].value() for f in response.context["formset"]] == ["Our new office is open!"]
    html = response.content.decode()
    assert 'class="plain-language-source"' in html
    assert "js/studio.js" in html
    assert "<script>" not in html


def test_edit_saves_changes_and_share_texts(client_as, comms_user_2, draft):
    response = client_as(comms_user_2).post(
        f"/studio/items/{draft.pk}/edit/",
        form_data(
            title="Our office in Utrecht",
            **{"texts-1-DELETE": "on", "texts-0-text": "Now open in Utrecht."},
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.slug) == ("Our office in Utrecht", "our-office-in-utrecht")
    assert list(draft.share_texts.values_list("network", "text")) == [("x", "Now open in Utrecht.")]
    edited = draft.events.get(action=Action.EDITED)
    assert edited.actor == comms_user_2
    assert edited.note == "title, link, share texts"


# --- The item page ---------------------------------------------------------------------------


def test_item_page_previews_card_text_share_texts_and_history(client_as, comms_user, draft):
    item_submit(item=draft, by=comms_user)
    response = client_as(comms_user).get(f"/studio/items/{draft.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="card item-card' in html  # the feed card, as ambassadors see it
    assert "Our new office is open!" in html
    assert "#employee" in html
    assert "Created" in html
    assert "Sent for review" in html
    assert "Someone else from the comms team has to approve it." in html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script> Hello",
        '<iframe src="https://evil.example"></iframe>',
        '<img src=x onerror="alert(1)">',
        "[click me](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
    ],
)
def test_item_page_renders_the_body_sanitised(client_as, comms_user, body):
    item = ItemFactory(body=f"Intro text.\n\n{body}\n\nOutro.")
    html = client_as(comms_user).get(f"/studio/items/{item.pk}/").content.decode()
    prose = re.search(r'<div class="prose">(.*?)</div>', html, re.S).group(1)
    assert "Intro text." in prose
    assert_harmless(prose)


# --- Workflow through the studio -------------------------------------------------------------


def test_author_cannot_approve_own_item_in_the_studio(client_as, comms_user, draft):
    item_submit(item=draft, by=comms_user)
    before = snapshot(draft)
    client = client_as(comms_user)
    page = client.get(f"/studio/items/{draft.pk}/approve/", follow=True)
    assert "Someone else from the comms team must approve your own item." in messages_of(page)
    response = client.post(f"/studio/items/{draft.pk}/approve/", {"confirm_corporate": "on"})
    assert response.status_code == 302
    assert snapshot(draft) == before


def test_second_comms_user_approves_in_the_studio(client_as, comms_user, comms_user_2, draft):
    item_submit(item=draft, by=comms_user)
    client = client_as(comms_user_2)
    page = client.get(f"/studio/items/{draft.pk}/approve/")
    assert page.status_code == 200
    assert page.context["corporate"] is False
    with time_machine.travel(NOW, tick=False):
        client.force_login(comms_user_2)
        response = client.post(f"/studio/items/{draft.pk}/approve/", {"note": "Nice"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.publish_at) == (Status.PUBLISHED, NOW)
    assert list(draft.events.order_by("pk").values_list("action", flat=True)) == [
        Action.CREATED,
        Action.SUBMITTED,
        Action.APPROVED,
        Action.PUBLISHED,
    ]


def test_review_queue_lists_items_waiting(client_as, comms_user, comms_user_2, draft):
    ItemFactory(title="Still a draft")
    item_submit(item=draft, by=comms_user)
    response = client_as(comms_user_2).get("/studio/review/")
    assert [item.title for item in response.context["items"]] == ["We opened a new office"]


def test_corporate_text_needs_the_confirmation_box(client_as, comms_user, review_off):
    item = item_create(by=comms_user, title="Strategic update", body=CORPORATE_EN)
    client = client_as(comms_user)
    page = client.get(f"/studio/items/{item.pk}/publish/")
    assert page.context["corporate"] is True
    assert "I know this text is hard to read. Publish it anyway." in page.content.decode()
    before = snapshot(item)
    refused = client.post(f"/studio/items/{item.pk}/publish/", {})
    assert refused.status_code == 200
    assert refused.context["form"].errors["confirm_corporate"] == [
        "This text is hard to read. Tick the box to publish it anyway."
    ]
    assert snapshot(item) == before
    done = client.post(f"/studio/items/{item.pk}/publish/", {"confirm_corporate": "on"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert item.plain_language["band"] == "corporate"


def test_urgent_publish_confirmation_shows_how_many_people_it_reaches(client_as, comms_lead):
    AmbassadorFactory.create_batch(3, urgent_alerts=True)
    AmbassadorFactory(urgent_alerts=False)
    AmbassadorFactory(urgent_alerts=True, content_languages="nl")
    item = item_create(by=comms_lead, title="Office closed", body=PLAIN_EN, is_urgent=True)
    page = client_as(comms_lead).get(f"/studio/items/{item.pk}/publish/")
    assert page.context["reach"] == 3
    assert "We e-mail it to 3 people, 10 minutes after it goes live." in page.content.decode()


def test_comms_lead_publishes_urgent_and_can_stop_the_emails(client_as, comms_lead, comms_user):
    item = item_create(by=comms_lead, title="Office closed", body=PLAIN_EN, is_urgent=True)
    client = client_as(comms_lead)
    with time_machine.travel(NOW, tick=False):
        client.force_login(comms_lead)
        client.post(f"/studio/items/{item.pk}/publish/", {})
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert item.alerts_send_after == NOW + timedelta(minutes=10)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        client.force_login(comms_user)
        page = client.get(f"/studio/items/{item.pk}/")
        assert "Stop the urgent e-mails" in page.content.decode()
        client.post(f"/studio/items/{item.pk}/alerts/cancel/")
    item.refresh_from_db()
    assert item.alerts_cancelled_at == NOW + timedelta(minutes=5)


def test_ordinary_comms_cannot_publish_urgent_without_review(client_as, comms_user):
    item = item_create(by=comms_user, title="Office closed", body=PLAIN_EN, is_urgent=True)
    before = snapshot(item)
    response = client_as(comms_user).post(f"/studio/items/{item.pk}/publish/", {})
    assert response.status_code == 302
    assert snapshot(item) == before


def test_send_back_with_a_note(client_as, comms_user, comms_user_2, draft):
    item_submit(item=draft, by=comms_user)
    client = client_as(comms_user_2)
    before = snapshot(draft)
    client.post(f"/studio/items/{draft.pk}/send-back/", {"note": ""})
    assert snapshot(draft) == before
    client.post(f"/studio/items/{draft.pk}/send-back/", {"note": "Shorter title, please."})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.events.get(action=Action.RETURNED).note == "Shorter title, please."


def test_duplicate_opens_the_copy(client_as, comms_user, draft):
    response = client_as(comms_user).post(f"/studio/items/{draft.pk}/copy/")
    copy = Item.objects.exclude(pk=draft.pk).get()
    assert response["Location"] == f"/studio/items/{copy.pk}/edit/"
    assert copy.title == "We opened a new office (copy)"


def test_archive(client_as, comms_user, review_off, draft):
    item_publish(item=draft, by=comms_user)
    client_as(comms_user).post(f"/studio/items/{draft.pk}/archive/")
    assert Item.objects.get(pk=draft.pk).status == Status.ARCHIVED
    assert not Item.objects.live().exists()
    edit = client_as(comms_user).get(f"/studio/items/{draft.pk}/edit/")
    assert edit.status_code == 302


# --- Settings --------------------------------------------------------------------------------


def test_settings_page_edits_site_settings(client_as, comms_lead):
    client = client_as(comms_lead)
    assert client.get("/studio/settings/").status_code == 200
    response = client.post(
        "/studio/settings/",
        {
            "digests_enabled": "on",
            "digest_send_hour": "7",
            "disclosure_en": "#iworkhere",
            "disclosure_nl": "#ikwerkhier",
            "urgent_send_delay_minutes": "5",
        },
    )
    assert response.status_code == 302
    site = SiteSettings.load()
    assert (site.review_required, site.digest_send_hour, site.disclosure_en) == (
        False,
        7,
        "#iworkhere",
    )
    assert site.urgent_send_delay_minutes == 5
    assert site.linkedin_share == "composer"  # not sent: the saved choice stays


def test_settings_choose_how_linkedin_shares(client_as, comms_lead):
    client = client_as(comms_lead)
    assert "LinkedIn&#x27;s official share page" in client.get("/studio/settings/").content.decode()
    data = {"digest_send_hour": "7", "urgent_send_delay_minutes": "5"}
    client.post("/studio/settings/", {**data, "linkedin_share": "offsite"})
    assert SiteSettings.load().linkedin_share == "offsite"
    response = client.post("/studio/settings/", {**data, "linkedin_share": "elsewhere"})
    assert response.status_code == 200
    assert SiteSettings.load().linkedin_share == "offsite"


def test_settings_refuses_a_delay_over_two_hours(client_as, comms_lead):
    response = client_as(comms_lead).post(
        "/studio/settings/",
        {"digest_send_hour": "8", "urgent_send_delay_minutes": "500", "review_required": "on"},
    )
    assert response.status_code == 200
    assert SiteSettings.load().urgent_send_delay_minutes == 10


def test_demo_data_has_an_item_waiting_for_review(db, client_as):
    call_command("seed_demo", stdout=StringIO())
    reviewer = User.objects.get(email="reviewer@example.com")
    response = client_as(reviewer).get("/studio/review/")
    assert [item.title for item in response.context["items"]] == ["Open day on Saturday"]
    item = response.context["items"][0]
    assert item.share_texts.count() == 3
    assert item.plain_language["band"] == "plain"
