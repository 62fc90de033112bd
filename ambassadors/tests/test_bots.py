"""Person or bot: the classifier (ambassadors/tracking/bots.py) through /s/<code>, with a corpus of
real user agents (tests/data/user_agents.txt) and the agents reported in issue 11."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from ambassadors.models import Click
from ambassadors.tests.factories import ItemFactory, TrackedLinkFactory
from ambassadors.tests.test_links import _clear_buffer, stored_clicks, visit
from ambassadors.tracking import bots, clicks, links

CORPUS = Path(__file__).parent / "data" / "user_agents.txt"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"  # noqa: E501
LINKEDIN_IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.9600"  # noqa: E501
LINKEDIN_ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/128.0.6613.127 Mobile Safari/537.36 [LinkedInApp]/4.1.973"  # noqa: E501
GOOGLE_MESSAGES = "Mozilla/5.0 (Linux; Android 11; moto g(20)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.74 Mobile Safari/537.36 GoogleMessages/20.1"  # noqa: E501
PAGE_RENDERER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/56.0.2924.87 Safari/537.36 Google-PageRenderer Google (+https://developers.google.com/+/web/snippet/)"  # noqa: E501
GMAIL_SAMPLING = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.246 Gmail-content-sampling"  # noqa: E501

pytestmark = pytest.mark.django_db


def load_corpus() -> list[tuple[str, str, str]]:
    """(class, group, agent) for every agent in the data file, in file order."""
    rows, kind, group, source = [], None, None, None
    for raw in CORPUS.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith("== "):
            kind, group = (part.strip() for part in raw[3:].split("|", 1))
            assert kind in {"person", "bot", "preview"}, raw
            source = None
            continue
        if raw.startswith("source:"):
            source = raw
            continue
        assert group, f"agent before any group: {raw}"
        assert source, f"agent before its group's source line: {raw}"
        rows.append((kind, group, "" if raw == "<empty>" else raw))
    return rows


CORPUS_ROWS = load_corpus()


@pytest.fixture(autouse=True)
def _fresh_state():
    links.link_cache_clear()
    clicks.buffer.reset()
    clicks.pump.forget_limits()
    _clear_buffer()
    yield
    clicks.pump.wait_idle()
    links.link_cache_clear()
    clicks.buffer.reset()
    clicks.pump.forget_limits()
    _clear_buffer()


@pytest.fixture
def link():
    item = ItemFactory(live=True, slug="new-office", link="https://example.com/news")
    return TrackedLinkFactory(item=item, network="linkedin", code="Ab3dE5gH7k")


def test_the_corpus_covers_the_whole_kind():
    """At least 150 agents, in every group the issue names, each group with its source."""
    kinds = [kind for kind, _group, _agent in CORPUS_ROWS]
    assert len(CORPUS_ROWS) == 193
    assert (kinds.count("person"), kinds.count("bot"), kinds.count("preview")) == (63, 94, 36)
    groups = {group for _kind, group, _agent in CORPUS_ROWS}
    for needle in [
        "Desktop browsers",
        "Mobile browsers",
        "LinkedIn in-app",
        "X (Twitter) app",
        "Facebook and Messenger",
        "Instagram app",
        "Threads app",
        "Telegram in-app",
        "Google app",
        "LinkedIn's link preview",
        "X's link preview",
        "Facebook, Instagram and Threads link previews",
        "WhatsApp's link preview",
        "Bluesky's link preview",
        "Mastodon and other fediverse",
        "Chat and message previews",
        "Mail scanners",
        "Search engine crawlers",
        "AI crawlers",
        "Uptime monitors",
        "HTTP libraries",
    ]:
        assert any(needle in group for group in groups), needle
    agents = [agent for _kind, _group, agent in CORPUS_ROWS]
    assert len(set(agents)) == len(agents), "duplicate agents"


@override_settings(REDIRECT_RATE_LIMIT=10_000)
def test_every_corpus_agent_is_stored_as_its_class_through_the_redirect(client, link):
    for n, (_kind, _group, agent) in enumerate(CORPUS_ROWS):
        ip = f"10.{n // 250}.{n % 250}.1"  # one visitor per agent
        assert visit(client, link.code, user_agent=agent, ip=ip).status_code == 302
    rows = stored_clicks()
    assert len(rows) == len(CORPUS_ROWS)
    wrong = [
        (kind, agent)
        for (kind, _group, agent), row in zip(CORPUS_ROWS, rows, strict=True)
        if row.is_bot != (kind != "person")
    ]
    assert wrong == []
    assert Click.objects.filter(is_bot=False).count() == 63
    assert Click.objects.filter(is_bot=False, is_unique=True).count() == 63
    assert Click.objects.filter(is_bot=True).count() == 94 + 36
    assert Click.objects.filter(is_bot=True, is_unique=True).count() == 0


@override_settings(REDIRECT_RATE_LIMIT=1)
def test_link_previews_in_the_corpus_are_never_rate_limited(client, link):
    previews = [agent for kind, _group, agent in CORPUS_ROWS if kind == "preview"]
    statuses = {visit(client, link.code, user_agent=agent).status_code for agent in previews}
    statuses |= {visit(client, link.code, user_agent=agent).status_code for agent in previews}
    assert statuses == {302}
    assert len(stored_clicks()) == 2 * len(previews)


@override_settings(REDIRECT_RATE_LIMIT=1)
@pytest.mark.parametrize(
    "agent",
    [agent for kind, _group, agent in CORPUS_ROWS if kind == "bot"][-12:],
    ids=lambda agent: agent[:30] or "empty",
)
def test_other_bots_stay_rate_limited(client, link, agent):
    statuses = [visit(client, link.code, user_agent=agent).status_code for _ in range(2)]
    assert statuses == [302, 429]
    assert [c.is_bot for c in stored_clicks()] == [True]


def test_the_issue_scenario_counts_three_people(client, link):
    """Two colleagues in the LinkedIn app (iOS, Android) and one on a desktop browser."""
    visit(client, link.code, user_agent=LINKEDIN_IOS, ip="203.0.113.1")
    visit(client, link.code, user_agent=LINKEDIN_ANDROID, ip="203.0.113.2")
    visit(client, link.code, user_agent=DESKTOP, ip="203.0.113.3")
    assert [(c.is_bot, c.is_unique) for c in stored_clicks()] == [(False, True)] * 3


@pytest.mark.parametrize(
    "agent",
    [
        LINKEDIN_IOS,
        LINKEDIN_ANDROID,
        "Twitter for iPhone/10.34",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Twitter for iPhone/9.61",  # noqa: E501
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Telegram-iOS/10.14",  # noqa: E501
    ],
    ids=["linkedin-ios", "linkedin-android", "x-bare", "x-ios", "telegram-ios"],
)
def test_regression_in_app_browsers_are_people(client, link, agent):
    visit(client, link.code, user_agent=agent)
    assert [(c.is_bot, c.is_unique) for c in stored_clicks()] == [(False, True)]


@pytest.mark.parametrize(
    "agent",
    [GOOGLE_MESSAGES, PAGE_RENDERER, GMAIL_SAMPLING],
    ids=["google-messages", "google-page-renderer", "gmail-content-sampling"],
)
def test_regression_previewers_and_scanners_are_bots(client, link, agent):
    visit(client, link.code, user_agent=agent)
    assert [(c.is_bot, c.is_unique) for c in stored_clicks()] == [(True, False)]


@pytest.mark.parametrize("rule", bots.RULES, ids=lambda rule: rule.name)
def test_every_exception_has_a_reason_and_a_working_example(rule):
    assert rule.why.strip()
    assert bots.matching_rule(rule.example) is rule
    assert bots.agent_verdict(rule.example) is rule.verdict


def test_the_exceptions_stay_a_short_list():
    assert len(bots.RULES) <= 25


@pytest.mark.parametrize(
    ("agent", "library_says_bot"),
    [
        ("Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", False),
        (GMAIL_SAMPLING, False),
        ("ViberUrlDownloader", False),
        ("Akkoma 3.13.2; https://akko.example <admin@akko.example>", False),
        ("node", False),
        (bots.PERSON_RULES[-1].example, True),  # Slack desktop
    ],
    ids=["bluesky", "gmail", "viber", "akkoma", "node-fetch", "slack-desktop"],
)
def test_exceptions_overrule_what_the_library_gets_wrong(agent, library_says_bot):
    """Why the list exists: the pinned library version decides these the other way."""
    assert bots._detector.is_crawler(agent) is library_says_bot
    assert bots.is_bot(agent) is not library_says_bot


@pytest.mark.parametrize("agent", ["", " ", "\t", "Mozilla/5.0", "Mozilla/5.0 (compatible)"])
def test_empty_and_bare_agents_are_bots(agent):
    assert bots.is_bot(agent) is True
    assert bots.is_link_preview(agent) is False


def test_a_preview_is_a_bot_but_a_scanner_is_no_preview():
    assert (bots.is_bot("Twitterbot/1.0"), bots.is_link_preview("Twitterbot/1.0")) == (True, True)
    assert (bots.is_bot(GMAIL_SAMPLING), bots.is_link_preview(GMAIL_SAMPLING)) == (True, False)
    assert (bots.is_bot(LINKEDIN_IOS), bots.is_link_preview(LINKEDIN_IOS)) == (False, False)


def test_the_library_runs_once_per_agent(monkeypatch):
    calls = []
    real = bots._detector.is_crawler
    monkeypatch.setattr(bots._detector, "is_crawler", lambda ua: calls.append(ua) or real(ua))
    bots.agent_verdict.cache_clear()
    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 test-cache"
    assert [bots.is_bot(agent) for _ in range(50)] == [False] * 50
    assert calls == [agent]
    assert bots.agent_verdict.cache_info().hits >= 49
