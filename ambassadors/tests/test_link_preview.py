"""Link previews in the studio item form: Open Graph, Twitter card, <title>, and the picture
offered by the preview saved through the upload pipeline."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ambassadors.fetching import FetchError
from ambassadors.models import Item
from ambassadors.sources.previews import link_preview
from ambassadors.tests.factories import AmbassadorFactory, CommsUserFactory

pytestmark = pytest.mark.django_db

OG_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Fallback title</title>
<meta property="og:title" content="Acme &amp; the new office">
<meta property="og:description" content="  We open in   Leeds.  ">
<meta property="og:image" content="/images/leeds.png">
<meta property="og:site_name" content="Acme News">
<meta name="twitter:title" content="Twitter title">
</head><body><meta property="og:title" content="ignored in body"></body></html>"""

TWITTER_PAGE = """<html><head><title>Page</title>
<meta name="twitter:title" content="Kantoor in Zwolle">
<meta name="twitter:description" content="Eén plek voor iedereen">
<meta name="twitter:image" content="https://cdn.example.com/z.jpg">
</head></html>"""

TITLE_PAGE = (
    b"<html><head><title>\n  Just a   title </title>\n"
    b"<meta name='description' content='Plain description'></head></html>"
)


def png(width=1200, height=630) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_open_graph_wins(local_server):
    url = local_server.route("/story", body=OG_PAGE.encode(), content_type="text/html")
    preview = link_preview(url=url)
    assert (preview.title, preview.summary, preview.picture_url, preview.site_name) == (
        "Acme & the new office",
        "We open in Leeds.",
        local_server.url("/images/leeds.png"),
        "Acme News",
    )


def test_twitter_card_then_title_and_description(local_server):
    twitter = local_server.route(
        "/twitter",
        body=TWITTER_PAGE.encode("windows-1252"),
        content_type="text/html; charset=windows-1252",
    )
    preview = link_preview(url=twitter)
    assert (preview.title, preview.summary, preview.picture_url, preview.site_name) == (
        "Kantoor in Zwolle",
        "Eén plek voor iedereen",
        "https://cdn.example.com/z.jpg",
        "127.0.0.1",
    )
    plain = link_preview(
        url=local_server.route("/plain", body=TITLE_PAGE, content_type="text/html")
    )
    assert (plain.title, plain.summary, plain.picture_url) == (
        "Just a title",
        "Plain description",
        "",
    )


def test_not_a_web_page(local_server):
    url = local_server.route("/file.pdf", body=b"%PDF", content_type="application/pdf")
    with pytest.raises(FetchError) as caught:
        link_preview(url=url)
    assert caught.value.message == "This link is not a web page, so it has no preview."


def test_preview_view_offers_title_summary_and_picture(client_as, local_server):
    url = local_server.route("/story", body=OG_PAGE.encode(), content_type="text/html")
    response = client_as(CommsUserFactory()).post("/studio/link-preview/", {"link": url})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-use-preview="title" data-value="Acme &amp; the new office"' in body
    assert 'data-use-preview="body" data-value="We open in Leeds."' in body
    assert f'data-use-preview="image_url" data-value="{local_server.url("/images/leeds.png")}"' in (
        body
    )


def test_preview_view_explains_refusals(client_as, settings, local_server):
    settings.FETCH_ALLOW_LOOPBACK = False
    client = client_as(CommsUserFactory())
    url = local_server.route("/story", body=OG_PAGE.encode(), content_type="text/html")
    body = client.post("/studio/link-preview/", {"link": url}).content.decode()
    assert "No preview: We do not fetch addresses inside a private network (127.0.0.1)." in body
    body = client.post(
        "/studio/link-preview/", {"link": "http://169.254.169.254/latest/meta-data/"}
    ).content.decode()
    assert "No preview: We do not fetch addresses inside a private network" in body
    assert local_server.requests == []


def test_preview_is_comms_only(client_as):
    response = client_as(AmbassadorFactory().user).post(
        "/studio/link-preview/", {"link": "https://example.com/"}
    )
    assert response.status_code == 403


def _item_post(**extra) -> dict:
    data = {
        "title": "Acme opens in Leeds",
        "link": "https://example.com/leeds",
        "body": "We open an office.",
        "language": "en",
        "image_alt": "",
        "texts-TOTAL_FORMS": "0",
        "texts-INITIAL_FORMS": "0",
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "30",
    }
    data.update(extra)
    return data


def test_item_form_saves_the_preview_picture(client_as, local_server):
    picture = local_server.route("/images/leeds.png", body=png(), content_type="image/png")
    client = client_as(CommsUserFactory())
    response = client.post(
        "/studio/items/new/", _item_post(image_url=picture, image_alt="The new office")
    )
    assert response.status_code == 302
    item = Item.objects.get()
    with item.image.open("rb") as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))
    assert item.image_alt == "The new office"


def test_item_form_refuses_an_unusable_preview_picture(client_as, local_server, settings):
    small = local_server.route("/small.png", body=png(200, 100), content_type="image/png")
    client = client_as(CommsUserFactory())
    response = client.post("/studio/items/new/", _item_post(image_url=small, image_alt="x"))
    assert response.status_code == 200
    assert response.context["form"].errors["image"] == [
        "This picture is too small (200 × 100 pixels). It needs to be at least 600 × 315, "
        "or it looks blurry when shared."
    ]
    settings.FETCH_ALLOW_LOOPBACK = False
    response = client.post("/studio/items/new/", _item_post(image_url=small, image_alt="x"))
    assert response.context["form"].errors["image"] == [
        "We do not fetch addresses inside a private network (127.0.0.1)."
    ]
    assert Item.objects.count() == 0
