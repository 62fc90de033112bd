"""Item page, share buttons (with and without htmx), manual shares, confirm and undo,
and the public page with its Open Graph tags."""

import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from ambassadors.images import og_image_url, og_image_write
from ambassadors.models import Item, Network, Share, SiteSettings, TrackedLink
from ambassadors.sharing import pick_variant
from ambassadors.tests.factories import (
    AmbassadorFactory,
    DepartmentFactory,
    GuidelinesFactory,
    ItemFactory,
    ShareFactory,
    ShareTextFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def item():
    item = ItemFactory(
        live=True,
        slug="new-office",
        title="Our new office",
        link="https://example.com/news?id=7",
        body="We opened a **new office**.\n\nCome and see it.",
        topics=[TopicFactory(slug="news", name="News")],
    )
    ShareTextFactory(item=item, network="linkedin", text="Proud of our new office.")
    ShareTextFactory(item=item, network="x", text="New office! Come and see it.")
    return item


@pytest.fixture
def last_choice(monkeypatch):
    """Make the random pick of a text variant predictable: always the last one."""
    monkeypatch.setattr("ambassadors.sharing.pick_variant", lambda pool: pool[-1])


def share_url(item, network):
    return f"/items/{item.slug}/share/{network}/"


def test_item_page_shows_body_and_every_share_option(client_as, ambassador, item, last_choice):
    ambassador.networks = ["x"]
    ambassador.save()
    response = client_as(ambassador.user).get(f"/items/{item.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>new office</strong>" in html
    assert "Come and see it." in html
    networks = [option.network for option in response.context["options"]]
    assert networks == [
        "x", "linkedin", "whatsapp", "facebook", "bluesky", "threads", "mastodon", "email", "copy"
    ]  # fmt: skip
    texts = {option.network: option.text for option in response.context["options"]}
    # The ambassador edits only the words; the disclosure line shows under the text.
    assert texts["x"] == "New office! Come and see it."
    assert texts["linkedin"] == "Proud of our new office."
    assert texts["whatsapp"] == "New office! Come and see it."  # any variant
    assert {option.disclosure for option in response.context["options"]} == {"#employee"}
    assert "We add this line after your text: #employee" in html
    for network in networks:
        assert f'action="/items/new-office/share/{network}/"' in html
    assert "data-native-share" in html


def test_variants_are_picked_at_random(client_as, ambassador, item, monkeypatch):
    """The page hands each network's whole pool to the picker and shows what it picked."""
    ShareTextFactory(item=item, network="linkedin", text="Second variant.")
    pools = []

    def pick(pool):
        pools.append(list(pool))
        return pool[-1]

    monkeypatch.setattr("ambassadors.sharing.pick_variant", pick)
    response = client_as(ambassador.user).get(f"/items/{item.slug}/")
    assert response.context["options"][0].network == "linkedin"
    assert response.context["options"][0].text == "Second variant."
    assert pools[0] == ["Proud of our new office.", "Second variant."]


def test_the_picker_draws_every_variant():
    pool = ["Proud of our new office.", "Second variant."]
    assert {pick_variant(pool) for _ in range(200)} == set(pool)


@pytest.mark.parametrize(
    ("language", "item_disclosure", "expected"),
    [("en", "", "#employee"), ("nl", "", "#medewerker"), ("nl", "#collega", "#collega")],
)
def test_disclosure_line(client_as, ambassador, language, item_disclosure, expected):
    SiteSettings.load()
    item = ItemFactory(live=True, language=language, title="Nieuws", disclosure=item_disclosure)
    response = client_as(ambassador.user).get(f"/items/{item.slug}/")
    option = response.context["options"][0]
    assert (option.text, option.disclosure, option.adds_disclosure) == ("Nieuws", expected, True)


def test_item_page_needs_a_signed_in_ambassador(client, client_as, employee, item):
    response = client.get(f"/items/{item.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client_as(employee).get(f"/items/{item.slug}/")
    assert response["Location"] == "/join/"


@pytest.mark.parametrize(
    "make",
    [
        lambda: ItemFactory(slug="gone"),  # draft
        lambda: ItemFactory(slug="gone", live=True, expires_at=timezone.now()),
        lambda: ItemFactory(slug="gone", live=True, publish_at=timezone.now() + timedelta(1)),
        lambda: ItemFactory(slug="gone", live=True, audience=[DepartmentFactory()]),
    ],
    ids=["draft", "expired", "scheduled", "other-audience"],
)
def test_only_live_items_in_my_audience_can_be_opened_or_shared(client_as, ambassador, make):
    make()
    client = client_as(ambassador.user)
    assert client.get("/items/gone/").status_code == 404
    assert client.post("/items/gone/share/linkedin/", {"text": "Hi"}).status_code == 404
    assert Share.objects.count() == 0
    assert TrackedLink.objects.count() == 0


def test_share_without_javascript_logs_and_redirects_to_linkedin(client_as, ambassador, item):
    response = client_as(ambassador.user).post(share_url(item, "linkedin"), {"text": "Hello"})
    share = Share.objects.get()
    link = TrackedLink.objects.get()
    assert (share.ambassador, share.item, share.network) == (ambassador, item, "linkedin")
    assert share.confirmed_at is None
    assert share.undone_at is None
    assert (link.ambassador, link.item, link.network) == (ambassador, item, "linkedin")
    assert response.status_code == 302
    assert response["Location"] == (
        "https://www.linkedin.com/feed/?shareActive=true&text=Hello%0A%0A%23employee%0A%0A"
        "http%3A%2F%2Ftestserver%2Fs%2F" + link.code
    )


def test_linkedin_official_share_page_is_a_site_setting(client_as, ambassador, item):
    SiteSettings.objects.update_or_create(pk=1, defaults={"linkedin_share": "offsite"})
    client = client_as(ambassador.user)
    page = client.get(f"/items/{item.slug}/").content.decode()
    assert "LinkedIn takes only the link. We copy your text first: paste it." in page
    response = client.post(share_url(item, "linkedin"), {"text": "Hello"})
    link = TrackedLink.objects.get(network="linkedin")
    assert response["Location"] == (
        "https://www.linkedin.com/sharing/share-offsite/?url=http%3A%2F%2Ftestserver%2Fs%2F"
        + link.code
    )


@pytest.mark.parametrize(
    ("network", "host", "param"),
    [
        ("x", "x.com", "text"),
        ("bluesky", "bsky.app", "text"),
        ("threads", "www.threads.com", "text"),
        ("whatsapp", "wa.me", "text"),
        ("facebook", "www.facebook.com", "u"),
    ],
)
def test_share_redirects_to_each_network_with_the_edited_text(
    client_as, ambassador, item, network, host, param
):
    response = client_as(ambassador.user).post(
        share_url(item, network), {"text": "Mijn eigen woorden: één café"}
    )
    link = TrackedLink.objects.get(network=network)
    target = urlsplit(response["Location"])
    assert target.scheme == "https"
    assert target.netloc == host
    value = parse_qs(target.query)[param][0]
    tracked = f"http://testserver/s/{link.code}"
    if network == "facebook":
        assert value == tracked
    elif network == "x":
        assert value == "Mijn eigen woorden: één café\n\n#employee"
        assert parse_qs(target.query)["url"] == [tracked]
    else:
        assert value.startswith("Mijn eigen woorden: één café\n\n#employee\n")
        assert value.endswith(tracked)


def test_share_by_email_redirects_to_mailto(client_as, ambassador, item):
    response = client_as(ambassador.user).post(share_url(item, "email"), {"text": "Kijk eens"})
    code = TrackedLink.objects.get().code
    assert response["Location"] == (
        "mailto:?subject=Our%20new%20office&body=Kijk%20eens%0D%0A%0D%0A%23employee%0D%0A%0D%0Ahttp%3A%2F%2Ftestserver%2Fs%2F"
        + code
    )


def test_share_with_htmx_shows_the_logged_state(client_as, ambassador, item):
    response = client_as(ambassador.user).post(
        share_url(item, "linkedin"), {"text": "Hello"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    link = TrackedLink.objects.get()
    share = Share.objects.get()
    assert "Logged: you shared on LinkedIn." in html
    assert "We opened LinkedIn with your text. If the post is empty, paste it" in html
    assert (
        'data-intent-url="https://www.linkedin.com/feed/?shareActive=true&amp;text=Hello%0A%0A'
        "%23employee%0A%0A"
        f'http%3A%2F%2Ftestserver%2Fs%2F{link.code}"'
    ) in html
    assert f'action="/shares/{share.pk}/confirm/"' in html
    assert "<html" not in html


def test_pressing_twice_logs_two_presses_with_one_link(client_as, ambassador, item):
    client = client_as(ambassador.user)
    client.post(share_url(item, "x"), {"text": "One"})
    client.post(share_url(item, "x"), {"text": "Two"}, headers=HTMX)
    client.post(share_url(item, "linkedin"), {"text": "Three"})
    assert Share.objects.filter(network="x").count() == 2
    assert sorted(TrackedLink.objects.values_list("network", flat=True)) == ["linkedin", "x"]


def test_copy_without_javascript_shows_the_text_and_link(client_as, ambassador, item):
    client = client_as(ambassador.user)
    response = client.post(share_url(item, "copy"), {"text": "Copy me"})
    share = Share.objects.get()
    assert response["Location"] == f"/items/new-office/?logged={share.pk}#share-result"
    page = client.get(response["Location"])
    code = TrackedLink.objects.get(network="copy").code
    assert f"Copy me\n\n#employee\n\nhttp://testserver/s/{code}</textarea>" in (
        page.content.decode()
    )


def test_native_share_with_htmx_gives_the_link_to_the_share_sheet(client_as, ambassador, item):
    response = client_as(ambassador.user).post(
        share_url(item, "native"), {"text": "From my phone"}, headers=HTMX
    )
    code = TrackedLink.objects.get(network="native").code
    html = response.content.decode()
    assert f'data-share-url="http://testserver/s/{code}"' in html
    assert 'data-share-text="From my phone\n\n#employee"' in html
    assert 'data-intent-url=""' in html


def test_mastodon_asks_for_the_server_once_and_remembers_it(client_as, ambassador, item):
    client = client_as(ambassador.user)
    response = client.post(share_url(item, "mastodon"), {"text": "Toot", "instance": ""})
    assert response.status_code == 302
    assert response["Location"] == "/items/new-office/?network=mastodon#share-mastodon"
    assert Share.objects.count() == 0
    response = client.post(
        share_url(item, "mastodon"), {"text": "Toot", "instance": "https://Mastodon.Social/"}
    )
    ambassador.refresh_from_db()
    assert ambassador.mastodon_instance == "mastodon.social"
    assert response["Location"].startswith(
        "https://mastodon.social/share?text=Toot%0A%0A%23employee%0A%0Ahttp"
    )
    response = client.post(share_url(item, "mastodon"), {"text": "Again"})
    assert response["Location"].startswith("https://mastodon.social/share?text=Again")
    assert Share.objects.count() == 2


def test_mastodon_server_that_is_not_a_host_is_refused(client_as, ambassador, item):
    response = client_as(ambassador.user).post(
        share_url(item, "mastodon"), {"text": "x", "instance": "evil.com/phish"}, headers=HTMX
    )
    assert "Enter only the server name" in response.content.decode()
    ambassador.refresh_from_db()
    assert ambassador.mastodon_instance == ""
    assert Share.objects.count() == 0


def test_mastodon_server_error_without_javascript_keeps_the_words(client_as, ambassador, item):
    client = client_as(ambassador.user)
    response = client.post(
        share_url(item, "mastodon"), {"text": "Mijn woorden", "instance": "https://evil.com/x"}
    )
    assert response["Location"] == "/items/new-office/?network=mastodon#share-mastodon"
    page = client.get(response["Location"]).content.decode()
    assert "Enter only the server name" in page
    assert '<details class="share-option" id="share-mastodon" open>' in page
    assert ">Mijn woorden</textarea>" in page
    assert Share.objects.count() == 0


def test_unknown_network_is_404(client_as, ambassador, item):
    response = client_as(ambassador.user).post(share_url(item, "myspace"), {"text": "x"})
    assert response.status_code == 404
    assert Share.objects.count() == 0


def test_share_is_post_only_and_csrf_protected(ambassador, item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ambassador.user)
    assert client.get(share_url(item, "linkedin")).status_code == 405
    assert client.post(share_url(item, "linkedin"), {"text": "x"}).status_code == 403
    assert Share.objects.count() == 0


def test_new_guidelines_must_be_accepted_before_the_next_share(client_as, ambassador, item):
    GuidelinesFactory(version=2)
    client = client_as(ambassador.user)
    back = "/join/?next=%2Fitems%2Fnew-office%2F"
    response = client.post(share_url(item, "linkedin"), {"text": "x"})
    assert response.status_code == 302
    assert response["Location"] == back + "%23share-linkedin"
    response = client.post(share_url(item, "linkedin"), {"text": "x"}, headers=HTMX)
    assert response["HX-Redirect"] == back + "%23share-linkedin"
    response = client.post(
        f"/items/{item.slug}/shares/", {"network": "x", "post_url": "https://x.com/me/1"}
    )
    assert response["Location"] == back
    assert Share.objects.count() == 0
    page = client.get("/join/")
    assert "Please accept them to share again." in page.content.decode()


def test_manual_share_with_the_post_url(client_as, ambassador, item):
    response = client_as(ambassador.user).post(
        f"/items/{item.slug}/shares/",
        {"network": "linkedin", "post_url": "https://www.linkedin.com/posts/me-123"},
    )
    assert response["Location"] == "/items/new-office/"
    share = Share.objects.get()
    assert share.network == "linkedin"
    assert share.post_url == "https://www.linkedin.com/posts/me-123"
    assert share.confirmed_at is not None


def test_manual_share_refuses_a_bad_url(client_as, ambassador, item):
    client_as(ambassador.user).post(
        f"/items/{item.slug}/shares/", {"network": "x", "post_url": "javascript:alert(1)"}
    )
    assert Share.objects.count() == 0


def test_confirm_and_undo_my_share(client_as, ambassador, item, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    share = ShareFactory(ambassador=ambassador, item=item)
    client = client_as(ambassador.user)
    response = client.post(
        f"/shares/{share.pk}/confirm/", {"post_url": "https://x.com/me/status/1"}, headers=HTMX
    )
    assert "Posted" in response.content.decode()
    share.refresh_from_db()
    assert share.confirmed_at == timezone.now()
    assert share.post_url == "https://x.com/me/status/1"
    response = client.post(f"/shares/{share.pk}/undo/")
    assert response["Location"] == "/items/new-office/"
    share.refresh_from_db()
    assert share.undone_at == timezone.now()


def test_cannot_touch_someone_elses_share(client_as, ambassador, item):
    other = ShareFactory(ambassador=AmbassadorFactory(), item=item)
    client = client_as(ambassador.user)
    assert client.post(f"/shares/{other.pk}/undo/").status_code == 404
    assert client.post(f"/shares/{other.pk}/confirm/").status_code == 404
    other.refresh_from_db()
    assert other.undone_at is None
    assert other.confirmed_at is None


def test_opted_out_ambassador_cannot_share(client_as, ambassador, item):
    ambassador.opted_out_at = timezone.now()
    ambassador.save()
    response = client_as(ambassador.user).post(share_url(item, "x"), {"text": "x"})
    assert response["Location"] == "/join/"
    assert Share.objects.count() == 0


# --- Public page ------------------------------------------------------------------------


def png_file() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 630), (11, 92, 173)).save(buffer, "PNG")
    return SimpleUploadedFile("office.png", buffer.getvalue(), content_type="image/png")


def test_public_page_has_open_graph_and_twitter_tags(client, item):
    item.image = png_file()
    item.image_alt = "The office from the street"
    item.save()
    og_image_write(storage=item.image.storage, image_name=item.image.name)
    response = client.get("/p/new-office/")
    assert response.status_code == 200
    html = response.content.decode()
    image = f"http://testserver{og_image_url(item)}"  # the 1200×630 copy, not the upload
    assert og_image_url(item) != item.image.url
    for tag in [
        '<meta property="og:type" content="article">',
        '<meta property="og:title" content="Our new office">',
        '<meta property="og:description" content="We opened a new office. Come and see it.">',
        '<meta property="og:url" content="http://testserver/p/new-office/">',
        f'<meta property="og:image" content="{image}">',
        '<meta property="og:image:alt" content="The office from the street">',
        '<meta name="twitter:card" content="summary_large_image">',
        f'<meta name="twitter:image" content="{image}">',
        '<meta name="twitter:title" content="Our new office">',
        '<link rel="canonical" href="http://testserver/p/new-office/">',
    ]:
        assert tag in html


def test_public_page_without_image_uses_a_small_card(client):
    ItemFactory(live=True, slug="plain", title="Plain <b>news</b>", body="Short.")
    html = client.get("/p/plain/").content.decode()
    assert '<meta name="twitter:card" content="summary">' in html
    assert "og:image" not in html
    assert '<meta property="og:title" content="Plain &lt;b&gt;news&lt;/b&gt;">' in html


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"status": Item.Status.DRAFT}, 404),
        ({"status": Item.Status.IN_REVIEW}, 404),
        ({"status": Item.Status.ARCHIVED}, 404),
        ({"status": Item.Status.ARCHIVED, "publish_at": timezone.now() - timedelta(days=9)}, 200),
        ({"live": True, "publish_at": timezone.now() + timedelta(days=1)}, 404),
        ({"live": True, "expires_at": timezone.now() - timedelta(days=1)}, 200),
        ({"live": True}, 200),
    ],
    ids=["draft", "in-review", "archived-unpublished", "archived", "scheduled", "expired", "live"],
)
def test_public_page_only_for_items_that_were_published(client, kwargs, status):
    ItemFactory(slug="story", **kwargs)
    assert client.get("/p/story/").status_code == status


def test_public_page_needs_no_sign_in(client, item):
    UserFactory()
    assert client.get("/p/new-office/").status_code == 200
    assert Network.LINKEDIN == "linkedin"


def test_item_page_links_the_other_language_version(client_as, ambassador):
    original = ItemFactory(live=True, slug="office", language="en", title="New office")
    ItemFactory(
        live=True, slug="kantoor", language="nl", title="Nieuw kantoor", translation_of=original
    )
    ItemFactory(slug="kantoor-draft", language="nl", title="Concept", translation_of=original)
    html = client_as(ambassador.user).get("/items/office/").content.decode()
    assert '<a href="/items/kantoor/" lang="nl">Nieuw kantoor</a>' in html
    assert "Concept" not in html
    html = client_as(ambassador.user).get("/items/kantoor/").content.decode()
    assert '<a href="/items/office/" lang="en">New office</a>' in html


@pytest.mark.parametrize("count", [1, 8])
def test_item_page_query_count_does_not_grow(
    client_as, ambassador, item, django_assert_num_queries, count
):
    for n in range(count):
        ShareTextFactory(item=item, network="x", text=f"Variant {n}")
        ShareFactory(ambassador=ambassador, item=item, network="x")
    client = client_as(ambassador.user)
    client.get(f"/items/{item.slug}/")  # session and site settings exist from here on
    # 15: the share sheet's tracked link and whether another version of the story is featured.
    with django_assert_num_queries(15):
        response = client.get(f"/items/{item.slug}/")
    assert len(response.context["my_shares"]) == count


def test_guidelines_round_trip_returns_to_the_post_with_the_edited_text(
    client_as, ambassador, item
):
    GuidelinesFactory(version=2)
    client = client_as(ambassador.user)
    words = "Mijn eigen woorden over één nieuw kantoor"
    response = client.post(share_url(item, "x"), {"text": words}, headers=HTMX)
    assert Share.objects.count() == 0
    join = response["HX-Redirect"]
    page = client.get(join).content.decode()
    assert 'name="next" value="/items/new-office/#share-x"' in page
    response = client.post(join, {"accept": "on", "next": "/items/new-office/#share-x"})
    assert response["Location"] == "/items/new-office/#share-x"
    page = client.get("/items/new-office/").content.decode()
    assert f">{words}</textarea>" in page
    assert '<details class="share-option" id="share-x" open>' in page
    # Only once: the next visit offers the suggested text again.
    assert words not in client.get("/items/new-office/").content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_guidelines_accept_never_redirects_off_site(client_as, ambassador, item, target):
    GuidelinesFactory(version=2)
    response = client_as(ambassador.user).post(f"/join/?next={target}", {"accept": "on"})
    assert response["Location"] == "/"


def test_share_sheet_is_logged_only_when_posted_with_the_edited_text(client_as, ambassador, item):
    client = client_as(ambassador.user)
    page = client.get(f"/items/{item.slug}/").content.decode()
    link = TrackedLink.objects.get(network="native")
    assert f'data-share-url="http://testserver/s/{link.code}"' in page
    assert Share.objects.count() == 0  # opening the page logs nothing
    response = client.post(share_url(item, "native"), {"text": "Eigen tekst"}, headers=HTMX)
    assert response.status_code == 200
    share = Share.objects.get()
    assert share.network == "native"
    assert TrackedLink.objects.count() == 1  # the same link the sheet shared


@pytest.mark.parametrize(
    ("network", "limit", "link_length"),
    [("x", 280, 1 + 23), ("mastodon", 500, 2 + 23), ("bluesky", 300, 1 + 30),
     ("threads", 500, 2 + 30), ("linkedin", 3000, 2 + 30)],
)  # fmt: skip
def test_item_page_gives_the_live_counter_its_limit(
    client_as, ambassador, item, network, limit, link_length
):
    page = client_as(ambassador.user).get(f"/items/{item.slug}/").content.decode()
    # http://testserver/s/ + 10 characters = 30
    assert (f'data-count="{network}" data-limit="{limit}" data-link-length="{link_length}"') in page
    assert f'id="count-{network}"' in page
