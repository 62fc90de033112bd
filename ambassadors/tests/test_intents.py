"""Share-intent URLs: pure functions, so no database and exact strings."""

from urllib.parse import parse_qs, urlsplit

import pytest

from ambassadors import intents

URL = "https://portal.example.com/s/Ab3dE5gH7k"
DUTCH = "Één café, één ruïne: wij zijn trots op onze collega's! 100% echt & eerlijk?"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        (
            "linkedin",
            "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k",
        ),
        (
            "facebook",
            "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k",
        ),
        (
            "x",
            "https://x.com/intent/tweet?text=Hoi%20%26%20dag%20%23werk&url=https%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k",
        ),
        (
            "bluesky",
            "https://bsky.app/intent/compose?text=Hoi%20%26%20dag%20%23werk%0Ahttps%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k",
        ),
        (
            "threads",
            "https://www.threads.net/intent/post?text=Hoi%20%26%20dag%20%23werk%0A%0Ahttps%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k",
        ),
        (
            "whatsapp",
            "https://wa.me/?text=Hoi%20%26%20dag%20%23werk%0A%0Ahttps%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k",
        ),
        (
            "mastodon",
            "https://mastodon.social/share?text=Hoi%20%26%20dag%20%23werk%0A%0Ahttps%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k",
        ),
        (
            "email",
            "mailto:?subject=Ons%20nieuws&body=Hoi%20%26%20dag%20%23werk%0D%0A%0D%0Ahttps%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k",
        ),
        ("copy", ""),
        ("native", ""),
    ],
)
def test_intent_url_per_network(network, expected):
    url = intents.intent_url(
        network,
        text="Hoi & dag #werk",
        url=URL,
        subject="Ons nieuws",
        instance="mastodon.social",
    )
    assert url == expected


@pytest.mark.parametrize("network", ["x", "bluesky", "threads", "whatsapp", "mastodon", "email"])
def test_non_ascii_dutch_text_round_trips(network):
    url = intents.intent_url(
        network, text=DUTCH, url=URL, subject="Één nieuwtje", instance="mastodon.social"
    )
    params = query(url)
    text = (params.get("text") or params["body"])[0]
    assert text.startswith(DUTCH)
    assert "%C3%89%C3%A9n" in url  # "Één" as UTF-8
    assert " " not in url
    assert "+" not in url
    if network == "email":
        assert params["subject"] == ["Één nieuwtje"]


@pytest.mark.parametrize("network", ["linkedin", "facebook"])
def test_link_only_networks_ignore_the_text(network):
    url = intents.intent_url(network, text=DUTCH, url=URL)
    assert list(query(url).values()) == [[URL]]
    assert network in intents.LINK_ONLY


def test_x_text_that_fits_is_untouched():
    text = "a" * 256  # 256 + space + 23 for the link = 280
    assert query(intents.x(text=text, url=URL))["text"] == [text]


def test_x_shortens_to_280_with_the_link_counted_as_23():
    text = ("Wij openen een nieuw kantoor in Utrecht en iedereen is welkom " * 6).strip()
    fitted = query(intents.x(text=text, url=URL))["text"][0]
    assert fitted.endswith("…")
    assert intents.x_weight(fitted) + 1 + 23 <= 280
    assert intents.x_weight(fitted) > 240
    assert text.startswith(fitted.removesuffix("…"))
    assert not fitted.removesuffix("…").endswith(" ")


def test_x_keeps_the_disclosure_line_when_shortening():
    text = "Één " * 100 + "\n\n#medewerker"
    fitted = query(intents.x(text=text, url=URL, keep="#medewerker"))["text"][0]
    assert fitted.endswith("…\n\n#medewerker")
    assert intents.x_weight(fitted) <= 256


def test_x_counts_wide_characters_twice():
    assert intents.x_weight("café") == 4
    assert intents.x_weight("日本") == 4
    text = "日本" * 100
    fitted = intents.fit_x(text)
    assert intents.x_weight(fitted) <= 256
    assert len(fitted) == 128  # 127 wide characters (254) and the ellipsis (2)


def test_bluesky_stays_within_300_graphemes_including_the_link():
    text = "Wij zijn trots op ons team 🇳🇱👍🏽 en onze klanten. " * 12
    post = query(intents.bluesky(text=text, url=URL))["text"][0]
    assert post.endswith("\n" + URL)
    assert len(intents.graphemes(post)) <= 300
    assert len(intents.graphemes(post)) >= 280


def test_bluesky_short_text_is_kept_whole():
    post = query(intents.bluesky(text=DUTCH, url=URL))["text"][0]
    assert post == f"{DUTCH}\n{URL}"


def test_graphemes_keep_flags_skin_tones_and_accents_together():
    assert intents.graphemes("🇳🇱👍🏽e\u0301👨\u200d👩\u200d👧") == [
        "🇳🇱",
        "👍🏽",
        "é",
        "👨\u200d👩\u200d👧",
    ]


@pytest.mark.parametrize(
    ("typed", "host"),
    [
        ("mastodon.social", "mastodon.social"),
        ("https://Fosstodon.org/", "fosstodon.org"),
        ("@me@social.example.nl", "social.example.nl"),
        ("toot.café", "toot.xn--caf-dma"),
    ],
)
def test_mastodon_instance_is_cleaned(typed, host):
    assert intents.clean_instance(typed) == host
    assert intents.mastodon(text="Hoi", url=URL, instance=typed).startswith(
        f"https://{host}/share?"
    )


@pytest.mark.parametrize(
    "typed", ["", "localhost", "evil.com/phish?x=", "javascript:alert(1)", "a b.nl", "x.com#y"]
)
def test_mastodon_instance_refuses_anything_but_a_server_name(typed):
    with pytest.raises(ValueError, match="not a server name"):
        intents.clean_instance(typed)
