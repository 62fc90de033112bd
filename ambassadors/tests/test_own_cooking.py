"""We eat our own cooking: the portal's own words pass its plain-language checker.

Every message in the English and Dutch catalogues and every e-mail template is checked for
jargon, and texts long enough to score must not land in the "corporate" band.
"""

import re
from pathlib import Path

import polib
import pytest

from ambassadors.plain_language import check

ROOT = Path(__file__).resolve().parents[2]
# Words of the product itself, and names, that the jargon lists would otherwise flag.
ALLOWED = {
    "en": ["ambassador", "ambassadors", "digest", "share", "shares"],
    "nl": ["ambassadeur", "ambassadeurs", "delen", "deling", "delingen"],
}
TEMPLATE_SYNTAX = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)
TAGS = re.compile(r"<[^>]+>")
PLACEHOLDERS = re.compile(r"%\(\w+\)[sd]|%[sd]")


def extra(language: str) -> list[tuple[str, str]]:
    return [(word, "") for word in ALLOWED[language]]


def catalogue_texts():
    for language in ("en", "nl"):
        po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
        for entry in po:
            package_text = entry.occurrences and all(
                path.endswith("i18n_overrides.py") for path, _line in entry.occurrences
            )
            if language == "en" and package_text:
                continue  # allauth's or Django's English: only our Dutch for it is ours
            if language == "en":
                texts = [entry.msgid, entry.msgid_plural]
            elif entry.msgid_plural:
                texts = list(entry.msgstr_plural.values())
            else:
                texts = [entry.msgstr]
            for text in filter(None, texts):
                yield pytest.param(
                    language, PLACEHOLDERS.sub("X", text), id=f"{language}:{text[:50]}"
                )


def email_texts():
    for path in sorted((ROOT / "templates" / "email").rglob("*")):
        if path.suffix not in {".txt", ".html"}:
            continue
        raw = path.read_text()
        text = TAGS.sub(" ", TEMPLATE_SYNTAX.sub(" ", raw))
        # Templates hold both languages through {% translate %}: the English source is checked
        # here, the Dutch through the catalogue.
        yield pytest.param("en", " ".join(text.split()), id=str(path.relative_to(ROOT)))


@pytest.mark.parametrize(("language", "text"), [*catalogue_texts(), *email_texts()])
def test_our_own_words_are_plain(language, text):
    report = check(text, language=language, extra_jargon=extra(language))
    assert [(h.term, h.suggestion) for h in report.jargon] == []
    assert report.band != "corporate", (report.score, report.reason)


def test_the_dutch_catalogue_is_complete():
    po = polib.pofile(str(ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    mo = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.mo"
    assert mo.stat().st_mtime >= (mo.with_suffix(".po")).stat().st_mtime - 1
