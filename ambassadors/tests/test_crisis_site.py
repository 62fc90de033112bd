"""The dark site and the crisis studio through HTTP: caching, feed, headers, permissions,
the one-screen activation, updates, close, and query counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from ambassadors.crisis import services
from ambassadors.models import ContentPause, Crisis, CrisisScenario, CrisisUpdate, Item
from ambassadors.tests.factories import AmbassadorFactory, DepartmentFactory, ItemFactory
from ambassadors.tests.test_crisis import Sender, activate, approved_scenario

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def crisis(comms_lead):
    crisis = activate(
        comms_lead,
        texts={"title_en": "App down", "body_en": "We fix it <b>now</b>.",
               "title_nl": "App plat", "body_nl": "We maken het."},
        fill={}, internal_only=False,
    )  # fmt: skip
    services.crisis_update_add(
        crisis=crisis,
        by=comms_lead,
        text_en="Back in an hour.",
        text_nl="Over een uur terug.",
        link="https://status.example.com/",
    )
    return crisis


def test_dark_site_shows_the_latest_update_on_top_and_the_timeline(crisis):
    response = Client().get(f"/crisis/{crisis.slug}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Back in an hour.") < page.index("We fix it")
    assert "&lt;b&gt;now&lt;/b&gt;" in page  # escaped, not HTML
    assert f'<meta property="og:url" content="http://testserver/crisis/{crisis.slug}/">' in page
    assert '<meta property="og:title" content="App down">' in page
    assert '<meta property="og:description" content="Back in an hour.">' in page
    assert f'href="http://testserver/crisis/{crisis.slug}/feed/"' in page
    assert 'name="robots"' not in page
    assert "csrfmiddlewaretoken" not in page
    assert "X-CSRFToken" not in page
    assert response["Cache-Control"] == (
        "public, max-age=30, stale-while-revalidate=60, stale-if-error=86400"
    )
    assert response["ETag"].startswith('"')
    assert response["Vary"] == "Accept-Language, Cookie"  # the language may come from either
    assert "Set-Cookie" not in response.headers


def test_dark_site_is_in_the_readers_language(crisis):
    page = Client(HTTP_ACCEPT_LANGUAGE="nl").get(f"/crisis/{crisis.slug}/").content.decode()
    assert "Over een uur terug." in page
    assert "App plat" in page


def test_dark_site_is_served_from_cache_without_sql_until_the_next_update(
    crisis, comms_lead, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client = Client()
    client.get(f"/crisis/{crisis.slug}/")
    with django_assert_num_queries(0):
        cached = client.get(f"/crisis/{crisis.slug}/")
    assert b"Back in an hour." in cached.content

    with django_capture_on_commit_callbacks(execute=True):
        services.crisis_update_add(crisis=crisis, by=comms_lead, text_en="All fixed.")

    fresh = client.get(f"/crisis/{crisis.slug}/")
    assert fresh.content.decode().index("All fixed.") < fresh.content.decode().index("Back in")
    assert fresh["ETag"] != cached["ETag"]
    assert (
        client.get(f"/crisis/{crisis.slug}/", HTTP_IF_NONE_MATCH=fresh["ETag"]).status_code == 304
    )


def test_atom_feed_lists_every_update_newest_first(crisis):
    response = Client().get(f"/crisis/{crisis.slug}/feed/")

    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert root.find(f"{ATOM}title").text == "App down"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Update 2: App down",
        "Update 1: App down",
    ]
    assert entries[0].find(f"{ATOM}summary").text == "Back in an hour."
    assert entries[0].find(f"{ATOM}id").text == f"http://testserver/crisis/{crisis.slug}/#update-2"


@pytest.mark.parametrize("kind", ["pending", "internal", "unknown"])
def test_no_public_page_for_pending_internal_or_unknown_crises(kind, comms_user, comms_lead):
    if kind == "pending":
        slug = activate(comms_user, texts={"title_en": "A", "body_en": "B"}, fill={},
                        internal_only=False).slug  # fmt: skip
    elif kind == "internal":
        slug = activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={},
                        internal_only=True).slug  # fmt: skip
    else:
        slug = "nothing-here"
    assert Client().get(f"/crisis/{slug}/").status_code == 404
    assert Client().get(f"/crisis/{slug}/feed/").status_code == 404


def test_comms_preview_of_a_pending_crisis_is_noindex(client_as, comms_user, comms_user_2):
    crisis = activate(comms_user, texts={"title_en": "A", "body_en": "B"}, fill={},
                      internal_only=False)  # fmt: skip
    services.crisis_confirm(crisis=crisis, by=comms_user_2)
    response = client_as(comms_user).get(f"/studio/crisis/{crisis.pk}/site/")
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Cache-Control"] == "no-store"


# --- Studio through HTTP --------------------------------------------------------------------


def test_a_lead_activates_in_one_screen_after_seeing_the_reach(client_as, comms_user, comms_user_2,
                                                               comms_lead):  # fmt: skip
    scenario = approved_scenario(comms_user, comms_user_2, internal_only=True)
    sales = DepartmentFactory(name="Sales")
    AmbassadorFactory(department=sales)
    AmbassadorFactory(department=sales)
    AmbassadorFactory()
    client = client_as(comms_lead)
    form = client.get(f"/studio/crisis/activate/?scenario={scenario.pk}").content.decode()
    assert 'name="fill_place"' in form
    assert 'name="fill_what"' in form
    data = {
        "scenario": scenario.pk,
        **{n: getattr(scenario, n) for n in services.TEXT_FIELDS},
        "fill_place": "Utrecht", "fill_time": "09:00", "fill_what": "app",
        "audience": [sales.pk], "internal_only": "on", "channels": ["email"],
        "send": "now", "confirm": "0",
    }  # fmt: skip

    check = client.post("/studio/crisis/activate/", data)
    assert "E-mail: 2 people" in check.content.decode()
    assert Crisis.objects.count() == 0

    missing = client.post("/studio/crisis/activate/", data | {"fill_time": "", "confirm": "1"})
    assert missing.status_code == 200
    assert Crisis.objects.count() == 0

    done = client.post("/studio/crisis/activate/", data | {"confirm": "1"})
    crisis = Crisis.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/studio/crisis/{crisis.pk}/"
    assert crisis.status == Crisis.Status.ACTIVE
    assert list(crisis.audience.all()) == [sales]
    assert crisis.updates.get().item_en.title == "Outage at Utrecht"


def test_an_unapproved_scenario_cannot_be_picked(client_as, comms_user, comms_lead):
    scenario = services.scenario_create(by=comms_user, name="Draft", title_en="A", body_en="B")
    assert (
        client_as(comms_lead).get(f"/studio/crisis/activate/?scenario={scenario.pk}").status_code
        == 404
    )  # noqa: E501


def test_update_and_close_through_the_studio(client_as, comms_lead, crisis):
    client = client_as(comms_lead)
    response = client.post(
        f"/studio/crisis/{crisis.pk}/updates/",
        {"text_en": "Third.", "send": "now", "alert": "on"},
    )
    assert response.status_code == 302
    assert crisis.updates.count() == 3

    closed = client.post(f"/studio/crisis/{crisis.pk}/close/", {"resume_content": "on"})
    assert closed.status_code == 200  # the resume report
    crisis.refresh_from_db()
    assert crisis.status == Crisis.Status.CLOSED
    assert client.get(f"/studio/crisis/{crisis.pk}/report/").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/studio/crisis/", "/studio/crisis/activate/", "/studio/crisis/webhooks/",
     "/studio/crisis/scenarios/new/", "/studio/crisis/banner/"],
)  # fmt: skip
def test_studio_pages_are_for_comms_only(client, client_as, ambassador, url):
    assert client.get(url).status_code == 302  # to the login page
    assert client_as(ambassador.user).get(url).status_code == 403


def test_state_changes_need_post_and_csrf(comms_lead, crisis):
    client = Client(enforce_csrf_checks=True)
    client.force_login(comms_lead)
    for url in [f"/studio/crisis/{crisis.pk}/close/", "/studio/crisis/pause/",
                f"/studio/crisis/{crisis.pk}/updates/"]:  # fmt: skip
        assert client.post(url, {"text_en": "x"}).status_code == 403
        assert client.get(url).status_code == 405
    crisis.refresh_from_db()
    assert crisis.status == Crisis.Status.ACTIVE
    assert crisis.updates.count() == 2


def test_scenario_workflow_through_the_studio(client_as, comms_user, comms_user_2):
    client = client_as(comms_user)
    response = client.post(
        "/studio/crisis/scenarios/new/",
        {"name": "Breach", "title_en": "Data breach at {place}", "body_en": "Since {time}.",
         "channels": ["email", "slack"], "internal_only": "on"},
    )  # fmt: skip
    scenario = CrisisScenario.objects.get()
    assert response["Location"] == f"/studio/crisis/scenarios/{scenario.pk}/"
    assert scenario.channels == ["email", "slack"]
    client.post(f"/studio/crisis/scenarios/{scenario.pk}/submit/")
    client.post(f"/studio/crisis/scenarios/{scenario.pk}/approve/")  # own: refused
    scenario.refresh_from_db()
    assert scenario.status == CrisisScenario.Status.IN_REVIEW

    client_as(comms_user_2).post(f"/studio/crisis/scenarios/{scenario.pk}/approve/")
    scenario.refresh_from_db()
    assert scenario.status == CrisisScenario.Status.APPROVED
    page = client.get(f"/studio/crisis/scenarios/{scenario.pk}/").content.decode()
    assert "{place}" in page
    assert "{time}" in page


def test_pause_alone_from_the_studio_shows_a_banner(client_as, comms_user):
    client = client_as(comms_user)
    client.post("/studio/crisis/pause/", {"reason": "Quiet week"})
    assert 'hx-get="/studio/crisis/banner/"' in client.get("/studio/").content.decode()
    banner = client.get("/studio/crisis/banner/").content.decode()
    assert "Quiet week" in banner
    resumed = client.post("/studio/crisis/resume/")
    assert resumed.status_code == 200
    assert client.get("/studio/crisis/banner/").content.strip() == b""


@pytest.mark.parametrize(("pause_content", "ticked"), [(True, True), (False, False)])
def test_resume_other_content_is_ticked_only_when_it_is_paused(
    client_as, comms_lead, pause_content, ticked
):
    crisis = activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={},
                      pause_content=pause_content)  # fmt: skip
    assert ContentPause.objects.active().exists() is pause_content
    client = client_as(comms_lead)
    field = client.get(f"/studio/crisis/{crisis.pk}/").context["close_form"]["resume_content"]
    assert field.value() is ticked
    assert ('name="resume_content" id="id_resume_content" checked' in str(field)) is ticked
    data = {"resume_content": "on"} if ticked else {}  # the form as it was shown
    response = client.post(f"/studio/crisis/{crisis.pk}/close/", data)
    assert response.status_code == (200 if ticked else 302)  # 200: the resume report
    assert ContentPause.objects.active().exists() is False


@pytest.mark.parametrize("updates", [1, 6])
def test_studio_pages_do_not_grow_with_updates(
    client_as, comms_lead, updates, django_assert_num_queries
):
    AmbassadorFactory()
    crisis = activate(comms_lead, texts={"title_en": "A", "body_en": "B"}, fill={},
                      internal_only=False)  # fmt: skip
    for n in range(updates - 1):
        services.crisis_update_add(crisis=crisis, by=comms_lead, text_en=f"u{n}", text_nl="nl")
    Sender().sweep()
    client = client_as(comms_lead)
    pages = {
        f"/studio/crisis/{crisis.pk}/": 13,  # + is other content paused (the close form)
        f"/studio/crisis/{crisis.pk}/report/": 13,
        "/studio/crisis/": 9,
        "/studio/crisis/webhooks/": 6,
    }
    for url in pages:
        client.get(url)
    for url, queries in pages.items():
        with django_assert_num_queries(queries, info=url):
            assert client.get(url).status_code == 200
    assert CrisisUpdate.objects.count() == updates
    assert Item.objects.count() == 1 + 2 * (updates - 1)
    rows = client.get(f"/studio/crisis/{crisis.pk}/").context["updates"]
    assert [(u.number, u.emails_sent, u.emails_problem, u.posts_sent) for u in rows] == [
        (n, 1, 0, 0) for n in range(updates, 0, -1)
    ]


def test_each_process_keeps_its_own_copy_briefly_and_drops_it_on_update(
    crisis, comms_lead, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from ambassadors.crisis import site

    settings.DARK_SITE_LOCAL_SECONDS = 60
    site._local.clear()
    client = Client()
    client.get(f"/crisis/{crisis.slug}/")
    cache.clear()  # the shared cache is gone: the process still has its copy
    with django_assert_num_queries(0):
        assert b"Back in an hour." in client.get(f"/crisis/{crisis.slug}/").content

    with django_capture_on_commit_callbacks(execute=True):
        services.crisis_update_add(crisis=crisis, by=comms_lead, text_en="Done.")

    assert b"Done." in client.get(f"/crisis/{crisis.slug}/").content
    site._local.clear()


def test_an_update_with_a_picture_shows_it_and_uses_it_for_link_previews(
    client_as, comms_lead, crisis, django_capture_on_commit_callbacks
):
    from ambassadors.tests.test_publishing import picture

    client = client_as(comms_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/studio/crisis/{crisis.pk}/updates/",
            {"text_en": "The team at work.", "image": picture(), "image_alt": "Engineers at desks",
             "send": "now", "alert": "on"},
        )  # fmt: skip
    assert response.status_code == 302
    update = crisis.updates.get(number=3)
    assert update.item_en.image
    assert update.item_en.image_alt == "Engineers at desks"
    page = Client().get(f"/crisis/{crisis.slug}/").content.decode()
    assert 'alt="Engineers at desks"' in page
    assert '<meta property="og:image" content="http://testserver/media/' in page

    refused = client.post(
        f"/studio/crisis/{crisis.pk}/updates/",
        {"text_en": "No description.", "image": picture(), "send": "now"},
    )
    assert refused.status_code == 302
    assert crisis.updates.count() == 3


def test_public_item_pages_of_an_active_crisis_link_the_live_updates(crisis):
    update = crisis.updates.get(number=2)
    site = f"http://testserver/crisis/{crisis.slug}/"
    # The note speaks the item's language, like the article and its link preview.
    for item, note, title in [
        (update.item_en, "Latest updates:", "App down"),
        (update.item_nl, "Laatste updates:", "App plat"),
    ]:
        page = Client().get(f"/p/{item.slug}/").content.decode()

        assert f'{note} <a href="{site}">{title}</a>' in page
        assert f'<meta property="og:description" content="{note} {site} ' in page
        assert "This was resolved" not in page
        assert "opgelost" not in page


def test_public_item_pages_of_a_closed_crisis_say_resolved_and_keep_working(
    now, crisis, comms_lead
):
    first = crisis.updates.get(number=1).item_en
    services.crisis_close(crisis=crisis, by=comms_lead, now=now)
    site = f"http://testserver/crisis/{crisis.slug}/"
    when = "25 November 2026"  # NOW in Amsterdam

    response = Client().get(f"/p/{first.slug}/")

    page = response.content.decode()
    assert response.status_code == 200  # posted links keep working
    assert f"This was resolved on {when}." in page
    assert f'<a href="{site}">See all updates</a>' in page
    assert (
        f'<meta property="og:description" content="This was resolved on {when}. '
        f'All updates: {site} We fix it &lt;b&gt;now&lt;/b&gt;.">'
    ) in page
    assert '<meta property="og:title" content="Resolved: App down">' in page
    dutch = Client().get(f"/p/{crisis.updates.get(number=2).item_nl.slug}/").content.decode()
    assert '<meta property="og:description" content="Dit is opgelost op 25 november 2026. ' in dutch
    assert (
        f'Dit is opgelost op 25 november 2026.\n    <a href="{site}">Bekijk alle updates</a>'
    ) in dutch


def test_an_ordinary_item_has_no_crisis_note(db):
    item = ItemFactory(live=True)
    page = Client().get(f"/p/{item.slug}/").content.decode()
    assert "crisis-note" not in page
    assert "/crisis/" not in page
