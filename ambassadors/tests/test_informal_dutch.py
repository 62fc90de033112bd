"""Dutch that reads as Dutch: every text people can see says "je/jij", never "u/uw".

Checked: our own catalogue, and every text of the packages whose words reach people
(django-allauth's sign-in and account pages, Django's forms, password rules and CSRF page),
translated the way the site translates them (our catalogue first). A formal package text
gets an informal translation via ``ambassadors/i18n_overrides.py``.
"""

import gettext
import re
from pathlib import Path

import allauth
import django
import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
FORMAL = re.compile(r"\b(u|uw|uzelf)\b|a\.u\.b\.|alstublieft|\bbent u\b", re.IGNORECASE)
PACKAGE_CATALOGUES = [
    Path(allauth.__file__).parent / "locale/nl/LC_MESSAGES/django.mo",
    Path(django.__file__).parent / "conf/locale/nl/LC_MESSAGES/django.mo",
    Path(django.__file__).parent / "contrib/auth/locale/nl/LC_MESSAGES/django.mo",
]


def _plain(text: str) -> str:
    return re.sub(r"%\(\w+\)[sd]|<[^>]+>", " ", text)


def our_texts() -> list[str]:
    po = polib.pofile(str(ROOT / "locale/nl/LC_MESSAGES/django.po"))
    return [
        text for entry in po for text in filter(None, [entry.msgstr, *entry.msgstr_plural.values()])
    ]


def package_messages():
    for path in PACKAGE_CATALOGUES:
        with path.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog
        for key in catalogue:
            if not key:
                continue
            if isinstance(key, tuple):
                msgid, n = key
                yield path.parts[-5], msgid, n
            else:
                yield path.parts[-5], key, None


def test_our_catalogue_says_je():
    texts = our_texts()
    assert len(texts) > 500
    assert [text for text in texts if FORMAL.search(_plain(text))] == []


def test_every_package_text_people_see_says_je_in_dutch():
    formal = []
    with translation.override("nl"):
        for package, msgid, n in package_messages():
            if "\x04" in msgid:  # a context: pgettext
                context, _sep, text = msgid.partition("\x04")
                shown = translation.pgettext(context, text)
            elif n is not None:
                shown = translation.ngettext(msgid, msgid, 1 if n == 0 else 2)
            else:
                shown = translation.gettext(msgid)
            if FORMAL.search(_plain(shown)):
                formal.append((package, msgid[:60], shown[:80]))
    assert formal == []


def test_a_formal_text_is_caught():
    assert FORMAL.search("Voer uw wachtwoord in")
    assert FORMAL.search("Neem a.u.b. contact op")
    assert not FORMAL.search("Voer je wachtwoord in, uur, nu")


# Nouns after a number that must agree with it ("1 minuten" is wrong): a text with one of
# these after a placeholder needs plural forms (blocktranslate count / ngettext), unless the
# number can never be 1 (a network's limit, a planning hint).
PLURAL_NOUNS = (
    r"(minuten|tekens|dagen|uren|weken|maanden|mensen|personen|berichten|delingen|kliks"
    r"|e-mails|links|velden)"  # not "keer": "1 keer" is right
)
NEVER_ONE = {"limit", "hint"}


def _before_plural_nouns(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)[sd] " + PLURAL_NOUNS, text))


def test_numbers_and_nouns_agree_in_dutch():
    """Only the number a text is counted by may stand before a plural noun in its plural
    form: "%(counter)s mensen, %(delay)s minuten" is wrong when the delay is 1."""
    po = polib.pofile(str(ROOT / "locale/nl/LC_MESSAGES/django.po"))
    wrong = []
    for entry in po:
        if entry.msgid_plural:
            one, many = (entry.msgstr_plural[0], entry.msgstr_plural[1])
            counted = _before_plural_nouns(many) - _before_plural_nouns(one)
            names = _before_plural_nouns(one) | _before_plural_nouns(many)
            names = {name for name, _noun in names} - {name for name, _noun in counted}
        else:
            names = {name for name, _noun in _before_plural_nouns(entry.msgstr)}
        wrong += [(name, entry.msgid[:60]) for name in sorted(names - NEVER_ONE)]
    assert wrong == []


def test_the_agreement_check_finds_the_old_fault():
    one = "We mailen het naar %(counter)s persoon, %(delay)s minuten nadat het online komt."
    many = "We mailen het naar %(counter)s mensen, %(delay)s minuten nadat het online komt."
    assert _before_plural_nouns(many) - _before_plural_nouns(one) == {("counter", "mensen")}
    assert ("delay", "minuten") in _before_plural_nouns(one)


# One word per action: "Inloggen" for signing in, "Account maken" for signing up. "Aanmelden"
# reads as both, "Registreren" is stiff; "Bevestigings e-mail" is misspelt.
MIXED_SIGN_IN_WORDS = re.compile(r"aanmeld|registr|bevestigings[ -]e-?mail", re.IGNORECASE)


def _shown_in_dutch(msgid: str, n: int | None) -> str:
    if "\x04" in msgid:  # a context: pgettext
        context, _sep, text = msgid.partition("\x04")
        return translation.pgettext(context, text)
    if n is not None:
        return translation.ngettext(msgid, msgid, 1 if n == 0 else 2)
    return translation.gettext(msgid)


def test_our_catalogue_says_inloggen_and_account_maken():
    assert [text for text in our_texts() if MIXED_SIGN_IN_WORDS.search(_plain(text))] == []


def test_every_package_text_people_see_says_inloggen_and_account_maken():
    mixed = []
    with translation.override("nl"):
        for package, msgid, n in package_messages():
            shown = _shown_in_dutch(msgid, n)
            if MIXED_SIGN_IN_WORDS.search(_plain(shown)):
                mixed.append((package, msgid[:60], shown[:80]))
    assert mixed == []


def test_the_sign_in_words_in_dutch():
    with translation.override("nl"):
        assert translation.gettext("Sign In") == "Inloggen"
        assert translation.gettext("Sign in") == "Inloggen"
        assert translation.gettext("Sign Up") == "Account maken"
        assert translation.gettext("Create an account") == "Account maken"
        assert translation.gettext("Confirmation email sent to %(email)s.") == (
            "Bevestigingsmail verstuurd naar %(email)s."
        )
    assert MIXED_SIGN_IN_WORDS.search("Aanmelden via Google")
    assert MIXED_SIGN_IN_WORDS.search("Registreren")
    assert MIXED_SIGN_IN_WORDS.search("Bevestigings e-mail verzonden")
    assert not MIXED_SIGN_IN_WORDS.search("Inloggen of een account maken")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "word"), [("/accounts/login/", "Inloggen"), ("/accounts/signup/", "Account maken")]
)
def test_the_sign_in_and_sign_up_pages_use_one_word_per_action(client, path, word):
    client.cookies["portal_language"] = "nl"
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1)
    assert word in title
    assert not MIXED_SIGN_IN_WORDS.search(re.sub(r"<[^>]+>", " ", page))
