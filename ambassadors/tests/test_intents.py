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
            "https://www.linkedin.com/feed/?shareActive=true&text=Hoi%20%26%20dag%20%23werk%0A%0Ahttps%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k",
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
            "https://www.threads.com/intent/post?text=Hoi%20%26%20dag%20%23werk%0A%0Ahttps%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k",
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


def test_link_only_networks_ignore_the_text():
    url = intents.intent_url("facebook", text=DUTCH, url=URL)
    assert list(query(url).values()) == [[URL]]
    assert intents.link_only("facebook")
    assert not intents.link_only("linkedin")


def test_linkedin_offsite_is_a_choice_and_takes_the_link_only():
    url = intents.intent_url("linkedin", text=DUTCH, url=URL, linkedin_mode="offsite")
    assert url == (
        "https://www.linkedin.com/sharing/share-offsite/?url="
        "https%3A%2F%2Fportal.example.com%2Fs%2FAb3dE5gH7k"
    )
    assert intents.link_only("linkedin", linkedin_mode="offsite")


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


# --- Limits per network, with the link counted as the network counts it -------------------

LONG_URL = "https://www.example.com/nieuws/2026/11/ons-nieuwe-kantoor-in-utrecht-opent-de-deuren"
WORDS = "Wij openen een nieuw kantoor in Utrecht en iedereen is welkom om te komen kijken"


def _post(network: str, intent: str) -> str:
    params = query(intent)
    if network == "x":
        return f"{params['text'][0]} {params['url'][0]}"
    return params["text"][0]


@pytest.mark.parametrize(
    ("network", "limit", "measure"),
    [
        ("threads", 500, len),
        ("linkedin", 3000, len),
        ("bluesky", 300, lambda s: len(intents.graphemes(s))),
        ("mastodon", 500, intents.mastodon_length),
        ("x", 280, intents.x_weight),
    ],
)
@pytest.mark.parametrize("extra", ["", " 🎉👍🏽", f" Lees {LONG_URL} meer", " Één café"])
def test_every_post_fits_its_network_with_the_link(network, limit, measure, extra):
    text = ((WORDS + extra + ". ") * 80).strip() + "\n\n#medewerker"
    intent = intents.intent_url(
        network, text=text, url=URL, instance="mastodon.social", keep="#medewerker"
    )
    post = _post(network, intent)
    assert post.endswith(URL)
    assert measure(post) <= limit
    assert measure(post) > limit - 60  # shortened, not emptied
    body = post.removesuffix(URL).rstrip()
    assert body.endswith("#medewerker")
    cut = body.removesuffix("#medewerker").rstrip().removesuffix("…").rstrip()
    assert text.startswith(cut)
    assert text[len(cut)] in " .\n"  # cut at a word boundary, never inside a word or a link


def test_threads_and_mastodon_shorten_a_539_character_text():
    text = ("Ons team is trots " * 40)[:539]
    for network in ("threads", "mastodon"):
        post = _post(network, intents.intent_url(network, text=text, url=URL, instance="m.nl"))
        assert post.endswith("…\n\n" + URL)
        length = len(post) if network == "threads" else intents.mastodon_length(post)
        assert 480 < length <= 500


def test_mastodon_counts_every_link_as_23():
    assert intents.mastodon_length(f"Kijk {LONG_URL}") == 5 + 23
    text = "a" * 450 + " " + LONG_URL  # 474 with the link as 23, + 2 + 23 for ours = 499
    post = _post("mastodon", intents.intent_url("mastodon", text=text, url=URL, instance="m.nl"))
    assert post == f"{text}\n\n{URL}"


def test_x_counts_a_link_inside_the_text_as_23_and_keeps_a_text_x_accepts():
    text = "b" * 200 + " " + LONG_URL + " " + "c" * 31  # 200 + 1 + 23 + 1 + 31 = 256
    assert intents.x_weight(text) == 256
    fitted = query(intents.x(text=text, url=URL))["text"][0]
    assert fitted == text  # 256 + 1 + 23 = 280: X accepts it
    text = text[:-2]  # 254 + the ellipsis (2) + 1 + 23 = 280
    longer = text + " dddd"
    fitted = query(intents.x(text=longer, url=URL))["text"][0]
    assert fitted == text + "…"  # never cut inside "dddd" nor inside the link


def test_x_counts_emoji_as_two_and_dutch_accents_as_one():
    assert intents.x_weight("👨\u200d👩\u200d👧🇳🇱") == 4
    assert intents.x_weight("één ruïne") == 9
    text = "🎉 " * 127 + "🎉"  # 127 × 3 + 2 = 383
    fitted = intents.fit_x(text, url=URL)
    assert intents.x_weight(fitted) + 1 + 23 <= 280
    assert fitted.endswith("🎉…")


def test_bluesky_counts_graphemes_so_flags_fit():
    text = "🇳🇱" * 290
    post = query(intents.bluesky(text=text, url=URL))["text"][0]
    assert len(intents.graphemes(post)) == 300
    assert post == "🇳🇱" * (300 - 1 - len(URL) - 1) + "…\n" + URL


def test_linkedin_composer_counts_the_link_in_3000():
    text = ("Dit is ons verhaal over het nieuwe kantoor. " * 100).strip()
    post = query(intents.linkedin(url=URL, text=text))["text"][0]
    assert len(post) <= 3000
    assert len(post) > 2900
    assert post.endswith("kantoor. Dit is ons…\n\n" + URL)


def test_post_length_matches_the_post_the_intent_builds():
    for network in ("x", "bluesky", "threads", "mastodon", "linkedin"):
        assert (
            intents.post_length(network, "Hoi 🎉", URL)
            == {
                "x": 4 + 2 + 1 + 23,
                "bluesky": 5 + 1 + len(URL),
                "threads": 5 + 2 + len(URL),
                "mastodon": 5 + 2 + 23,
                "linkedin": 5 + 2 + len(URL),
            }[network]
        )


def test_a_single_overlong_word_is_cut_between_characters():
    fitted = intents.fit("bluesky", "x" * 400, URL)
    assert fitted == "x" * (300 - 1 - len(URL) - 1) + "…"


@pytest.mark.parametrize(
    "typed", ["https://Fosstodon.org/@dirk", "https://Hachyderm.io/", "fosstodon.org/@dirk"]
)
def test_mastodon_profile_links_and_server_links_give_the_server(typed):
    assert intents.clean_instance(typed) in ("fosstodon.org", "hachyderm.io")


@pytest.mark.parametrize(
    "typed", ["https://evil.com/phish", "ftp://mastodon.social", "https://m.nl/@a?x=1"]
)
def test_mastodon_links_with_other_paths_are_refused(typed):
    with pytest.raises(ValueError, match="not a server name"):
        intents.clean_instance(typed)


def test_graphemes_follow_unicode_like_the_browser():
    # Korean syllables from parts, Devanagari with a vowel sign, keycap and rainbow flag
    text = "\u1100\u1161\u11a8 नि 1\ufe0f\u20e3 🏳️‍🌈"
    assert intents.graphemes(text) == ["각", " ", "नि", " ", "1\ufe0f\u20e3", " ", "🏳️‍🌈"]
