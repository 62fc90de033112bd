"""Content sources: polling real-world-shaped feeds from a local server, dedup, clear
per-source problems, watched terms and alerts, the ideas inbox, drafting and dismissing."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from PIL import Image

from ambassadors.models import Item, ItemEvent, Source, SourceEntry, Suggestion, WatchTerm
from ambassadors.sources.inbox import InboxError, source_entry_dismiss, source_entry_draft
from ambassadors.sources.monitoring import TermIndex, highlight, term_alerts_send, term_pattern
from ambassadors.sources.parsing import canonical_url
from ambassadors.sources.polling import source_poll, sources_dispatch
from ambassadors.tests.factories import (
    AmbassadorFactory,
    CommsUserFactory,
    SuggestionFactory,
    TopicFactory,
)

FEEDS = Path(__file__).parent / "feeds"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def feed(name: str, server=None) -> bytes:
    text = (FEEDS / name).read_text(encoding="utf-8")
    if server is not None:
        text = text.replace("https://cdn.acme.example", server.url("/cdn"))
    return text.encode("utf-8")


def png(width=1200, height=630) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(out, "PNG")
    return out.getvalue()


def make_source(url, **kwargs) -> Source:
    topics = kwargs.pop("topics", [])
    kwargs.setdefault("name", "Acme Newsroom")
    source = Source.objects.create(url=url, **kwargs)
    source.topics.set(topics)
    return source


def entries_of(source) -> list[tuple]:
    return list(
        SourceEntry.objects.filter(source=source)
        .order_by("pk")
        .values_list("title", "summary", "link", "canonical_url", "guid_key", "published_at")
    )


# --- Polling and parsing ---------------------------------------------------------------------


def test_rss2_entries_are_stored_exactly(local_server):
    url = local_server.route("/feed.xml", body=feed("rss2_en.xml", local_server))
    source = make_source(url, language="en")
    result = source_poll(source_id=source.pk, now=NOW)
    assert result.outcome == "new"
    assert len(result.new_entry_ids) == 3
    assert entries_of(source) == [
        (
            "Volunteering day at the food bank",
            "Forty colleagues packed 2,000 parcels.",
            "https://news.acme.example/2026/volunteering",
            "https://news.acme.example/2026/volunteering",
            f"source-{source.pk}:acme-news-1001",
            datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
        ),
        (
            "Quarterly results: steady growth",
            "Revenue grew 4 percent.",
            "https://news.acme.example/2026/q3-results",
            "https://news.acme.example/2026/q3-results",
            f"source-{source.pk}:acme-news-1002",
            datetime(2026, 11, 27, 15, 0, tzinfo=UTC),
        ),
        (
            "Acme opens a new office in Leeds",
            "We are hiring 120 people in Leeds & York.",
            "https://news.acme.example/2026/leeds-office?utm_source=rss&utm_medium=feed",
            "https://news.acme.example/2026/leeds-office",
            "https://news.acme.example/2026/leeds-office",
            datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
        ),
    ]
    pictures = dict(SourceEntry.objects.values_list("title", "picture"))
    assert pictures == {
        "Acme opens a new office in Leeds": local_server.url("/cdn/leeds.jpg"),
        "Quarterly results: steady growth": local_server.url("/cdn/q3.png"),
        "Volunteering day at the food bank": "",
    }
    assert set(SourceEntry.objects.values_list("language", flat=True)) == {"en"}
    assert sorted(SourceEntry.objects.values_list("guid", flat=True)) == [
        "acme-news-1001",
        "acme-news-1002",
        "https://news.acme.example/2026/leeds-office",
    ]
    source.refresh_from_db()
    assert (source.last_success_at, source.last_error, source.error_count) == (NOW, "", 0)
    assert source.next_poll_at == NOW + timedelta(minutes=60)


def test_atom_in_dutch(local_server):
    url = local_server.route(
        "/atom.xml", body=feed("atom_nl.xml"), content_type="application/atom+xml"
    )
    source = make_source(url, name="Acme Nieuws", language="nl")
    source_poll(source_id=source.pk, now=NOW)
    assert entries_of(source) == [
        (
            "Stage lopen bij Acme",
            "Wij zoeken 12 stagiairs.",
            "https://nieuws.acme.example/stage",
            "https://nieuws.acme.example/stage",
            "tag:nieuws.acme.example,2026:stage",
            datetime(2026, 11, 28, 7, 15, tzinfo=UTC),
        ),
        (
            "Ons nieuwe kantoor in Zwolle is open",
            "Eén plek voor 80 collega's.",
            "https://nieuws.acme.example/zwolle",
            "https://nieuws.acme.example/zwolle",
            "tag:nieuws.acme.example,2026:zwolle",
            datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
        ),
    ]
    stage = SourceEntry.objects.get(title="Stage lopen bij Acme")
    # Relative addresses in content are resolved against the feed's own address.
    assert stage.picture == local_server.url("/img/stage.jpg")
    assert stage.language == "nl"


def test_rss1_uses_rdf_about_as_guid(local_server):
    url = local_server.route("/rss1.xml", body=feed("rss1.xml"), content_type="application/xml")
    source = make_source(url, name="Careers")
    source_poll(source_id=source.pk, now=NOW)
    assert entries_of(source) == [
        (
            "Data engineer (Utrecht)",
            "Join our data team.",
            "https://careers.acme.example/jobs/77",
            "https://careers.acme.example/jobs/77",
            "https://careers.acme.example/jobs/77",
            datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
        )
    ]


def test_second_poll_sends_etag_gets_304_and_stores_nothing(local_server):
    url = local_server.route("/feed.xml", body=feed("rss2_en.xml"), etag='"v7"')
    source = make_source(url)
    assert len(source_poll(source_id=source.pk, now=NOW).new_entry_ids) == 3
    later = NOW + timedelta(hours=1)
    result = source_poll(source_id=source.pk, now=later)
    assert result.outcome == "not_modified"
    assert local_server.hits("/feed.xml")[1]["If-None-Match"] == '"v7"'
    assert SourceEntry.objects.count() == 3
    source.refresh_from_db()
    assert source.last_success_at == later


def test_last_modified_is_sent_back_and_a_full_answer_stores_nothing_twice(local_server):
    url = local_server.route(
        "/feed.xml",
        body=feed("rss2_en.xml"),
        headers={"Last-Modified": "Mon, 30 Nov 2026 09:31:00 GMT"},
    )
    source = make_source(url)
    source_poll(source_id=source.pk, now=NOW)
    result = source_poll(source_id=source.pk, now=NOW + timedelta(hours=1))
    assert (result.outcome, result.new_entry_ids) == ("new", [])
    assert local_server.hits("/feed.xml")[1]["If-Modified-Since"] == (
        "Mon, 30 Nov 2026 09:31:00 GMT"
    )
    assert SourceEntry.objects.count() == 3


def test_dedup_across_sources_by_canonical_url_and_feeds_without_guids(local_server):
    news = make_source(local_server.route("/news.xml", body=feed("rss2_en.xml")))
    alerts = make_source(
        local_server.route("/alerts.xml", body=feed("rss2_noguid.xml")), name="Alerts"
    )
    source_poll(source_id=news.pk, now=NOW)
    source_poll(source_id=alerts.pk, now=NOW)
    source_poll(source_id=alerts.pk, now=NOW + timedelta(hours=1))
    assert [e[0] for e in entries_of(alerts)] == [
        "Acmeville fair this weekend",
        "ACME's recall of the Widget 3000",
    ]
    assert SourceEntry.objects.filter(title="Acme opens a new office in Leeds").count() == 1
    assert SourceEntry.objects.count() == 5
    alerts.refresh_from_db()
    assert alerts.last_warning == (
        "1 entry has no link. 1 entry has no date. We used the moment we found it."
    )
    no_link = SourceEntry.objects.get(title="Acmeville fair this weekend")
    assert (no_link.link, no_link.canonical_url, no_link.published_at) == ("", "", None)
    assert no_link.guid_key.startswith(f"source-{alerts.pk}:text-")


def test_same_uri_guid_in_two_sources_is_one_entry(local_server):
    first = make_source(local_server.route("/a.xml", body=feed("atom_nl.xml")), language="nl")
    second = make_source(local_server.route("/b.xml", body=feed("atom_nl.xml")), name="Copy")
    source_poll(source_id=first.pk, now=NOW)
    assert source_poll(source_id=second.pk, now=NOW).new_entry_ids == []
    assert SourceEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.COM:443/a/?utm_source=x&b=2&a=1#frag", "https://example.com/a?a=1&b=2"),
        ("http://example.com", "https://example.com/"),
        ("https://example.com:8443/x?fbclid=1", "https://example.com:8443/x"),
        ("mailto:x@example.com", ""),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_redirected_feed_is_read(local_server):
    local_server.route("/old-feed", redirect="/feed.xml", status=301)
    local_server.route("/feed.xml", body=feed("rss2_en.xml"))
    source = make_source(local_server.url("/old-feed"))
    assert len(source_poll(source_id=source.pk, now=NOW).new_entry_ids) == 3


def _poll_problem(local_server, settings=None, **route) -> Source:
    url = local_server.route("/feed.xml", **route)
    source = make_source(url, interval_minutes=30)
    source_poll(source_id=source.pk, now=NOW)
    source.refresh_from_db()
    return source


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (
            {
                "body": b"<!doctype html><html><head><title>Blog</title></head></html>",
                "content_type": "text/html; charset=utf-8",
            },
            "This address gives a web page, not a feed. Look on that page for the RSS or Atom "
            "link and use that address.",
        ),
        (
            {"body": b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>x</item>"},
            "The feed is broken: mismatched tag (line 1).",
        ),
        ({"body": b"", "content_type": "application/rss+xml"}, "The feed is empty."),
        ({"status": 404, "body": b"gone"}, "The feed is not there (error 404). Check the address."),
        (
            {"status": 503, "body": b"busy"},
            "The server has trouble (error 503). We try again later.",
        ),
    ],
)
def test_bad_feeds_get_clear_messages_and_nothing_is_stored(local_server, route, message):
    source = _poll_problem(local_server, **route)
    assert source.last_error == message
    assert (source.last_error_at, source.last_success_at, source.error_count) == (NOW, None, 1)
    assert source.is_active is True
    assert source.next_poll_at == NOW + timedelta(minutes=30)
    assert SourceEntry.objects.count() == 0


def test_errors_back_off_and_a_success_clears_them(local_server):
    url = local_server.route("/feed.xml", status=500, body=b"")
    source = make_source(url, interval_minutes=30)
    source_poll(source_id=source.pk, now=NOW)
    source_poll(source_id=source.pk, now=NOW)
    source.refresh_from_db()
    assert (source.error_count, source.next_poll_at) == (2, NOW + timedelta(minutes=60))
    local_server.route("/feed.xml", body=feed("rss2_en.xml"))
    source_poll(source_id=source.pk, now=NOW)
    source.refresh_from_db()
    assert (source.error_count, source.last_error, source.last_success_at) == (0, "", NOW)


def test_410_switches_the_source_off(local_server):
    source = _poll_problem(local_server, status=410, body=b"")
    assert source.is_active is False
    assert source.last_error == "The feed is gone for good (error 410). We stopped checking it."
    assert source_poll(source_id=source.pk, now=NOW).outcome == "skipped"


def test_timeout_and_huge_feeds(local_server, settings):
    settings.FETCH_TOTAL_TIMEOUT = 0.5
    slow = _poll_problem(local_server, body=feed("rss2_en.xml"), delay=2)
    assert slow.last_error == "The server took too long to answer. We try again later."
    settings.FETCH_TOTAL_TIMEOUT = 20
    settings.SOURCE_MAX_BYTES = 100_000
    url = local_server.route("/huge.xml", body=b"<rss>" + b" " * 200_000 + b"</rss>")
    huge = make_source(url, name="Huge")
    source_poll(source_id=huge.pk, now=NOW)
    huge.refresh_from_db()
    assert huge.last_error == "The feed is larger than 97.7\xa0KB. We do not read feeds that big."


def test_wrong_encoding_is_read_with_a_remark(local_server):
    body = feed("atom_nl.xml").decode().replace(' encoding="utf-8"', "").encode("latin-1")
    source = _poll_problem(local_server, body=body, content_type="application/atom+xml")
    assert SourceEntry.objects.get(title="Ons nieuwe kantoor in Zwolle is open").summary == (
        "Eén plek voor 80 collega's."
    )
    assert source.last_error == ""
    assert source.last_warning == (
        "The feed says its text is in one encoding but uses another. We read it as windows-1252."
    )


def test_refused_address_is_a_source_problem(local_server, settings):
    settings.FETCH_ALLOW_LOOPBACK = False
    source = _poll_problem(local_server, body=feed("rss2_en.xml"))
    assert source.last_error == "We do not fetch addresses inside a private network (127.0.0.1)."
    assert local_server.requests == []


def test_one_bad_source_does_not_hold_back_the_others(local_server):
    bad = make_source(local_server.route("/bad.xml", status=500, body=b""), name="Bad")
    broken = make_source(
        local_server.route("/broken.xml", body=b"<html>", content_type="text/html"), name="Broken"
    )
    good = make_source(local_server.route("/good.xml", body=feed("rss2_en.xml")), name="Good")
    later = make_source(
        local_server.route("/later.xml", body=feed("rss1.xml")), name="Later", is_active=True
    )
    Source.objects.filter(pk=later.pk).update(next_poll_at=NOW + timedelta(minutes=5))
    make_source(local_server.route("/off.xml", body=b""), name="Off", is_active=False)
    queued: list[int] = []
    assert sources_dispatch(enqueue=queued.append, now=NOW) == 3
    assert sorted(queued) == sorted([bad.pk, broken.pk, good.pk])
    assert sources_dispatch(enqueue=queued.append, now=NOW) == 0  # claimed already
    outcomes = [source_poll(source_id=pk, now=NOW).outcome for pk in queued]
    assert sorted(outcomes) == ["error", "error", "new"]
    assert SourceEntry.objects.filter(source=good).count() == 3


def test_unexpected_failure_is_recorded_not_raised(local_server, monkeypatch):
    from ambassadors.sources import polling

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(polling, "feed_parse", explode)
    source = _poll_problem(local_server, body=feed("rss2_en.xml"))
    assert source.last_error == "Something went wrong while reading this feed. We try again later."


# --- Watched terms and alerts ----------------------------------------------------------------


def test_whole_word_case_insensitive_highlighting():
    pattern = term_pattern(["Acme", "widget 3000"])
    text = "ACME's recall of the Widget  3000 in Acmeville <b>"
    assert highlight(text, pattern) == (
        "<mark>ACME</mark>&#x27;s recall of the <mark>Widget  3000</mark> in Acmeville &lt;b&gt;"
    )
    assert term_pattern([]) is None


def test_terms_per_language():
    WatchTerm.objects.create(term="kantoor", language="nl")
    WatchTerm.objects.create(term="Acme", language="")
    index = TermIndex.load()
    assert index.found("Acme opent een kantoor", "nl") == ["Acme", "kantoor"]
    assert index.found("Acme office, kantoor", "en") == ["Acme"]


def test_alert_term_mails_comms_once_batched(local_server, settings):
    settings.SITE_URL = "https://portal.example.com"
    comms = CommsUserFactory(email="comms@example.com")
    CommsUserFactory(email="lead@example.com")
    AmbassadorFactory()  # not comms: no mail
    WatchTerm.objects.create(term="recall", is_alert=True)
    WatchTerm.objects.create(term="Acme")  # highlighted only
    alerts = make_source(local_server.route("/alerts.xml", body=feed("rss2_noguid.xml")))
    source_poll(source_id=alerts.pk, now=NOW)
    entry = SourceEntry.objects.get(title="ACME's recall of the Widget 3000")
    assert (entry.alert, entry.alert_terms) == ("pending", ["recall"])
    assert SourceEntry.objects.filter(alert="pending").count() == 1
    assert term_alerts_send() == 1
    assert term_alerts_send() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["comms@example.com", "lead@example.com"]
    message = mail.outbox[0]
    assert message.subject == "Watched term in the news: recall"
    assert "ACME's recall of the Widget 3000" in message.body
    assert "https://portal.example.com/studio/ideas/?watched=1" in message.body
    entry.refresh_from_db()
    assert entry.alert == "sent"
    source_poll(source_id=alerts.pk, now=NOW + timedelta(hours=2))
    assert term_alerts_send() == 0
    assert len(mail.outbox) == 2
    assert comms.email == "comms@example.com"


def test_failed_alert_mail_is_released_and_sent_next_time(local_server, scripted):
    CommsUserFactory(email="comms@example.com")
    WatchTerm.objects.create(term="recall", is_alert=True)
    source = make_source(local_server.route("/alerts.xml", body=feed("rss2_noguid.xml")))
    source_poll(source_id=source.pk, now=NOW)
    scripted.on_open = [ConnectionRefusedError("smtp down")]
    with pytest.raises(ConnectionRefusedError, match="smtp down"):
        term_alerts_send()
    assert SourceEntry.objects.get(alert_terms=["recall"]).alert == "pending"
    assert mail.outbox == []
    assert term_alerts_send() == 1
    assert [m.to for m in mail.outbox] == [["comms@example.com"]]


# --- Inbox, drafting, dismissing --------------------------------------------------------------


def test_draft_from_an_entry(local_server):
    local_server.route("/cdn/leeds.jpg", body=png(), content_type="image/png")
    topic = TopicFactory(name="Careers", slug="careers")
    source = make_source(
        local_server.route("/feed.xml", body=feed("rss2_en.xml", local_server)), topics=[topic]
    )
    source_poll(source_id=source.pk, now=NOW)
    comms = CommsUserFactory()
    entry = SourceEntry.objects.get(title="Acme opens a new office in Leeds")
    item = source_entry_draft(entry=entry, by=comms)
    assert (item.title, item.link, item.body, item.language, item.status, item.author) == (
        "Acme opens a new office in Leeds",
        "https://news.acme.example/2026/leeds-office?utm_source=rss&utm_medium=feed",
        "We are hiring 120 people in Leeds & York.",
        "en",
        Item.Status.DRAFT,
        comms,
    )
    assert list(item.topics.all()) == [topic]
    assert item.image.name.endswith(".png")
    with item.image.open("rb") as stored, Image.open(stored) as picture:
        assert picture.size == (1200, 630)
    assert item.plain_language != {}
    event = item.events.get()
    assert (event.action, event.actor, event.note) == (
        ItemEvent.Action.CREATED,
        comms,
        "From the source “Acme Newsroom”: "
        "https://news.acme.example/2026/leeds-office?utm_source=rss&utm_medium=feed",
    )
    entry.refresh_from_db()
    assert (entry.status, entry.item, entry.decided_by) == ("drafted", item, comms)
    with pytest.raises(InboxError):
        source_entry_draft(entry=entry, by=comms)
    with pytest.raises(InboxError):
        source_entry_dismiss(entry=entry, by=comms)
    assert Item.objects.count() == 1


def test_a_picture_that_cannot_be_used_is_noted(local_server):
    local_server.route("/cdn/leeds.jpg", body=png(100, 100), content_type="image/png")
    source = make_source(local_server.route("/feed.xml", body=feed("rss2_en.xml", local_server)))
    source_poll(source_id=source.pk, now=NOW)
    entry = SourceEntry.objects.get(title="Acme opens a new office in Leeds")
    item = source_entry_draft(entry=entry, by=CommsUserFactory())
    assert not item.image
    assert item.events.get().note.endswith(
        "The picture could not be used: This picture is too small (100 × 100 pixels). It "
        "needs to be at least 600 × 315, or it looks blurry when shared."
    )


def test_auto_draft_source_makes_drafts_never_publishes(local_server):
    source = make_source(
        local_server.route("/feed.xml", body=feed("rss1.xml")), auto_draft=True, name="Careers"
    )
    source_poll(source_id=source.pk, now=NOW)
    item = Item.objects.get()
    assert (item.title, item.status, item.author, item.publish_at) == (
        "Data engineer (Utrecht)",
        Item.Status.DRAFT,
        None,
        None,
    )
    assert item.events.get().note == (
        "Made automatically from the source “Careers”: https://careers.acme.example/jobs/77"
    )
    source_poll(source_id=source.pk, now=NOW + timedelta(hours=1))
    assert Item.objects.count() == 1


def _entries(source, count, start=NOW):
    SourceEntry.objects.bulk_create(
        SourceEntry(
            source=source,
            title=f"Story {n} about Acme",
            summary="Short text.",
            link=f"https://example.com/{source.pk}/{n}",
            canonical_url=f"https://example.com/{source.pk}/{n}",
            language=source.language,
            published_at=start - timedelta(hours=n),
        )
        for n in range(count)
    )


@pytest.mark.parametrize("count", [3, 30])
def test_inbox_query_count_is_constant(client_as, django_assert_num_queries, count):
    topic = TopicFactory()
    source = make_source("https://example.com/feed.xml", topics=[topic])
    other = make_source("https://example.org/feed.xml", name="Other", language="nl")
    _entries(source, count)
    _entries(other, count)
    for _n in range(count):
        SuggestionFactory()
    WatchTerm.objects.create(term="Acme")
    client = client_as(CommsUserFactory())
    client.get("/studio/ideas/")  # warm up session and permission caches
    with django_assert_num_queries(10):
        response = client.get("/studio/ideas/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(50, 3 * count)


def test_inbox_merges_newest_first_and_filters(client_as):
    topic = TopicFactory(name="Careers", slug="careers")
    en = make_source("https://example.com/feed.xml", name="Blog", topics=[topic])
    nl = make_source("https://example.nl/feed.xml", name="Nieuws", language="nl")
    _entries(en, 2, start=NOW)
    _entries(nl, 1, start=NOW - timedelta(minutes=30))
    suggestion = SuggestionFactory(link="https://example.com/idea", note="Nice story")
    Suggestion.objects.filter(pk=suggestion.pk).update(created_at=NOW - timedelta(minutes=10))
    client = client_as(CommsUserFactory())

    def titles(query=""):
        rows = client.get(f"/studio/ideas/{query}").context["rows"]
        return [(row.kind, str(row.obj)) for row in rows]

    assert titles() == [
        ("entry", "Story 0 about Acme"),
        ("suggestion", "https://example.com/idea"),
        ("entry", "Story 0 about Acme"),
        ("entry", "Story 1 about Acme"),
    ]
    assert titles(f"?source={nl.pk}") == [("entry", "Story 0 about Acme")]
    assert titles("?source=suggestions") == [("suggestion", "https://example.com/idea")]
    assert titles("?topic=careers") == [
        ("entry", "Story 0 about Acme"),
        ("entry", "Story 1 about Acme"),
    ]
    assert [r.obj.source for r in client.get("/studio/ideas/?language=nl").context["rows"]] == [nl]
    assert titles("?watched=on") == []
    WatchTerm.objects.create(term="nice")
    assert titles("?watched=on") == [("suggestion", "https://example.com/idea")]


def test_inbox_highlights_watched_terms_escaped(client_as):
    source = make_source("https://example.com/feed.xml")
    SourceEntry.objects.create(
        source=source,
        title="<script>x</script> Acme news",
        summary="About acme.",
        language="en",
    )
    WatchTerm.objects.create(term="acme")
    body = client_as(CommsUserFactory()).get("/studio/ideas/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt; <mark>Acme</mark> news" in body
    assert "About <mark>acme</mark>." in body
    assert "<script>x</script>" not in body


@pytest.mark.parametrize("kind", ["entry", "suggestion"])
def test_draft_from_this_in_the_inbox_opens_the_new_draft(client_as, kind):
    """Both kinds of row in the Ideas inbox: the button's form leads to the draft's edit
    page, which says what to do next (it used to land on the suggestions tab)."""
    if kind == "entry":
        _entries(make_source("https://example.com/feed.xml"), 1)
    else:
        SuggestionFactory(link="https://example.com/idea", note="Nice story")
    client = client_as(CommsUserFactory())
    inbox = client.get("/studio/ideas/").content.decode()
    action = re.search(r'<form method="post" action="([^"]+)">\s*<input type="hidden" '
                       r'name="csrfmiddlewaretoken"[^>]*>\s*(?:<input[^>]*>\s*)*'
                       r'<button type="submit" class="button">Draft from this', inbox)  # fmt: skip
    assert action is not None
    response = client.post(action.group(1), follow=True)
    item = Item.objects.get()
    assert response.redirect_chain == [(f"/studio/items/{item.pk}/edit/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Draft made. Check it, then send it for review."
    ]


def test_draft_and_dismiss_views(client_as):
    source = make_source("https://example.com/feed.xml")
    _entries(source, 2)
    first, second = SourceEntry.objects.order_by("pk")
    client = client_as(CommsUserFactory())
    response = client.post(reverse("ambassadors:studio_idea_draft", args=[first.pk]))
    item = Item.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ambassadors:studio_item_edit", args=[item.pk])
    response = client.post(
        reverse("ambassadors:studio_idea_dismiss", args=[second.pk]),
        {"query": "state=new&source=1"},
    )
    assert response["Location"] == "/studio/ideas/?state=new&source=1"
    second.refresh_from_db()
    assert second.status == "dismissed"
    response = client.post(
        reverse("ambassadors:studio_idea_dismiss", args=[first.pk]),
        {"query": "//evil.example"},
    )
    assert response["Location"] == "/studio/ideas/"
    first.refresh_from_db()
    assert first.status == "drafted"
    assert Item.objects.count() == 1


def test_studio_source_pages_are_comms_only_and_post_only(client_as, client):
    source = make_source("https://example.com/feed.xml")
    _entries(source, 1)
    entry = SourceEntry.objects.get()
    pages = [
        "/studio/ideas/",
        "/studio/sources/",
        f"/studio/sources/{source.pk}/",
        "/studio/watched-terms/",
    ]
    ambassador_client = client_as(AmbassadorFactory().user)
    for page in pages:
        assert ambassador_client.get(page).status_code == 403
    for action in (
        f"/studio/ideas/{entry.pk}/draft/",
        f"/studio/ideas/{entry.pk}/dismiss/",
        f"/studio/sources/{source.pk}/check/",
        "/studio/link-preview/",
    ):
        assert ambassador_client.post(action).status_code == 403
    comms = client_as(CommsUserFactory())
    assert comms.get(f"/studio/ideas/{entry.pk}/draft/").status_code == 405
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(CommsUserFactory())
    assert csrf_client.post(f"/studio/ideas/{entry.pk}/draft/").status_code == 403
    entry.refresh_from_db()
    assert (entry.status, Item.objects.count()) == ("new", 0)


def test_add_a_source_checks_it_at_once(client_as, local_server):
    topic = TopicFactory()
    url = local_server.route("/feed.xml", body=feed("rss2_en.xml"))
    client = client_as(CommsUserFactory())
    response = client.post(
        "/studio/sources/",
        {
            "name": "Newsroom",
            "url": url,
            "language": "en",
            "topics": [topic.pk],
            "interval_minutes": 30,
            "is_active": "on",
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Source added.",
        "Checked “Newsroom”: 3 new entries.",
    ]
    source = Source.objects.get()
    assert list(source.topics.all()) == [topic]
    assert SourceEntry.objects.filter(source=source).count() == 3
    assert "3 new entries" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed", "http://user:pw@example.com/feed", "javascript:alert(1)"]
)
def test_add_source_refuses_bad_addresses(client_as, url):
    response = client_as(CommsUserFactory()).post(
        "/studio/sources/",
        {"name": "X", "url": url, "language": "en", "interval_minutes": 60, "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["url"]
    assert Source.objects.count() == 0


def test_watch_terms_page(client_as):
    client = client_as(CommsUserFactory())
    client.post(
        "/studio/watched-terms/", {"term": "  Acme   Bank ", "language": "", "is_alert": "on"}
    )
    response = client.post("/studio/watched-terms/", {"term": "acme bank", "language": ""})
    assert response.context["form"].errors["term"] == ["You already watch this term."]
    term = WatchTerm.objects.get()
    assert (term.term, term.language, term.is_alert) == ("Acme Bank", "", True)
    client.post(f"/studio/watched-terms/{term.pk}/delete/")
    assert WatchTerm.objects.count() == 0


@pytest.mark.parametrize("count", [2, 20])
def test_sources_and_terms_pages_query_count_is_constant(
    client_as, django_assert_num_queries, count
):
    topics = [TopicFactory() for _n in range(3)]
    for n in range(count):
        source = make_source(f"https://example.com/{n}.xml", name=f"Source {n}", topics=topics)
        _entries(source, 2)
        WatchTerm.objects.create(term=f"term {n}", is_alert=n % 2 == 0)
    client = client_as(CommsUserFactory())
    client.get("/studio/sources/")
    with django_assert_num_queries(8):
        response = client.get("/studio/sources/")
    assert response.content.decode().count("2 new entries") == count
    with django_assert_num_queries(6):
        response = client.get("/studio/watched-terms/")
    assert len(response.context["terms"]) == count


def test_remove_a_source_keeps_its_drafts(client_as):
    source = make_source("https://example.com/feed.xml")
    _entries(source, 2)
    comms = CommsUserFactory()
    item = source_entry_draft(entry=SourceEntry.objects.first(), by=comms)
    client = client_as(comms)
    assert client.get(f"/studio/sources/{source.pk}/delete/").status_code == 405
    assert Source.objects.count() == 1
    client.post(f"/studio/sources/{source.pk}/delete/")
    assert (Source.objects.count(), SourceEntry.objects.count()) == (0, 0)
    assert Item.objects.get() == item


def test_undated_entries_sort_by_when_they_were_found():
    source = make_source("https://example.com/feed.xml")
    _entries(source, 60, start=NOW - timedelta(days=2))
    SourceEntry.objects.create(source=source, title="Undated", language="en", found_at=NOW)
    from ambassadors.sources.inbox import InboxFilters, ideas_inbox

    rows = ideas_inbox(filters=InboxFilters(), limit=5)
    assert [str(row.obj) for row in rows][:2] == ["Undated", "Story 0 about Acme"]


def test_checking_a_source_in_the_studio_asks_for_alerts_at_once(
    client_as, local_server, monkeypatch, django_capture_on_commit_callbacks
):
    from ambassadors import tasks

    calls = []
    monkeypatch.setattr(tasks.term_alerts_send_task, "delay", lambda: calls.append("sent"))
    WatchTerm.objects.create(term="recall", is_alert=True)
    source = make_source(local_server.route("/alerts.xml", body=feed("rss2_noguid.xml")))
    client = client_as(CommsUserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/studio/sources/{source.pk}/check/")
    assert calls == ["sent"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/studio/sources/{source.pk}/check/")  # nothing new: no second ask
    assert calls == ["sent"]


def test_html_served_as_a_feed_is_recognised(local_server):
    source = _poll_problem(
        local_server,
        body=b"\n<!-- cms -->\n<!DOCTYPE html>\n<html lang='nl'><head><title>Nieuws</title>",
        content_type="application/rss+xml",
    )
    assert source.last_error.startswith("This address gives a web page, not a feed.")


def test_dutch_rss_in_windows_1252_as_declared(local_server):
    body = (
        '<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel>'
        "<title>Nieuws</title><link>https://acme.example/</link><description>d</description>"
        "<item><title>Café-avond voor collega’s</title><link>https://acme.example/cafe</link>"
        "<guid>https://acme.example/cafe</guid><pubDate>Tue, 01 Dec 2026 08:00:00 +0100</pubDate>"
        "<description>Wij trakteren op één drankje – tot zo!</description></item>"
        "</channel></rss>"
    ).encode("cp1252")
    url = local_server.route("/nl.xml", body=body, content_type="application/rss+xml")
    source = make_source(url, language="nl")
    source_poll(source_id=source.pk, now=NOW + timedelta(days=1))
    assert entries_of(source) == [
        (
            "Café-avond voor collega’s",
            "Wij trakteren op één drankje – tot zo!",
            "https://acme.example/cafe",
            "https://acme.example/cafe",
            "https://acme.example/cafe",
            datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
        )
    ]
    source.refresh_from_db()
    assert (source.last_error, source.last_warning) == ("", "")


def test_a_feed_with_very_many_entries_is_read_in_part(local_server):
    items = "".join(
        f"<item><title>Story {n}</title><link>https://acme.example/{n}</link>"
        f"<pubDate>Mon, 30 Nov 2026 09:00:00 +0000</pubDate></item>"
        for n in range(250)
    )
    body = f"<rss version='2.0'><channel><title>Big</title>{items}</channel></rss>".encode()
    source = make_source(local_server.route("/big.xml", body=body))
    result = source_poll(source_id=source.pk, now=NOW)
    assert len(result.new_entry_ids) == 200
    assert SourceEntry.objects.filter(title="Story 199").exists()
    assert not SourceEntry.objects.filter(title="Story 200").exists()
    source.refresh_from_db()
    assert source.last_warning == "The feed has 250 entries. We only read the first 200."


def test_future_dates_are_capped_at_the_moment_we_found_them(local_server):
    body = (
        b"<rss version='2.0'><channel><title>Events</title><item><title>Open day</title>"
        b"<link>https://acme.example/open-day</link>"
        b"<pubDate>Fri, 01 Jan 2027 09:00:00 +0000</pubDate></item></channel></rss>"
    )
    source = make_source(local_server.route("/events.xml", body=body))
    source_poll(source_id=source.pk, now=NOW)
    assert SourceEntry.objects.get().published_at == NOW


def test_beat_runs_the_dispatcher_every_minute_and_the_alert_sweep(settings):
    from portal.celery import app

    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["ambassadors.sources_dispatch"] == 60.0
    assert schedule["ambassadors.term_alerts_send"] == 300.0
    app.loader.import_default_modules()
    assert {"ambassadors.sources_dispatch", "ambassadors.source_poll"} <= set(app.tasks)


def test_dispatcher_task_enqueues_due_sources(monkeypatch):
    from ambassadors import tasks

    due = make_source("https://example.com/feed.xml")
    make_source("https://example.org/feed.xml", name="Off", is_active=False)
    queued = []
    monkeypatch.setattr(tasks.source_poll_task, "delay", queued.append)
    assert tasks.sources_dispatch_task.run() == 1
    assert queued == [due.pk]
    due.refresh_from_db()
    assert due.next_poll_at is not None
