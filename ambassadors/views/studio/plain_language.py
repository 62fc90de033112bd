"""The live plain-language panel next to the editor (htmx, POST on every typing pause)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ...models import Language
from ...plain_language import JargonHit
from ...publishing.rules import plain_language_check, plain_language_text
from ..access import comms_required

BANDS = {
    "plain": _("Plain: easy to read"),
    "fair": _("Fair: could be simpler"),
    "corporate": _("Hard to read: this sounds like corporate speak"),
}

REASONS = {
    "ok": _("Short sentences and short words. Good job."),
    "long_sentences": _("Your sentences are long. Split them into shorter ones."),
    "long_words": _("You use many long words. Try shorter, everyday words."),
    "both": _(
        "Your sentences are long and so are many words. Split sentences and use short words."
    ),
    "too_short": _("Write at least 30 words to get a score. Until then we only check words."),
}

MAX_CHARS = 50_000


def _unique_jargon(found: Iterable[JargonHit]) -> list[dict[str, Any]]:
    """Each word once, with how often it occurs: a list of twenty "leverage"s helps nobody."""
    seen: dict[str, dict] = {}
    for hit in found:
        entry = seen.setdefault(
            hit.term.lower(), {"term": hit.term, "suggestion": hit.suggestion, "count": 0}
        )
        entry["count"] += 1
    return list(seen.values())


def language_warning(report: Any) -> str:
    """A sentence for comms when the text is clearly in another language than the item's,
    else "". Works on a Report and on a stored report dict (``item.plain_language``)."""
    get = report.get if isinstance(report, dict) else lambda key: getattr(report, key, None)
    detected, declared = get("detected_language"), get("declared_language")
    if not detected or not declared or detected == declared:
        return ""
    if detected not in Language.values or declared not in Language.values:
        return ""
    return _(
        "This text seems to be in %(detected)s, but the item's language is %(declared)s. "
        "We scored it as %(detected)s. Change the item's language if the text is right."
    ) % {"detected": Language(detected).label, "declared": Language(declared).label}


def panel_context(report: Any, *, text: str = "") -> dict:
    """Turns the checker's report into words. Offsets in the report point into ``text``."""
    long_sentences = [
        {
            "words": sentence.words,
            "start": Truncator(text[sentence.start : sentence.end]).words(12) if text else "",
        }
        for sentence in report.long_sentences
    ]
    return {
        "report": report,
        # Flesch runs below 0 for very dense text; 0–100 is what people can read at a glance.
        "score": None if report.score is None else round(min(100, max(0, report.score))),
        "band_label": BANDS.get(report.band, ""),
        "reason_text": REASONS.get(report.reason, ""),
        "long_sentences": long_sentences,
        "passive_hints": [hint.text for hint in report.passive_hints],
        "jargon": _unique_jargon(report.jargon),
        "language_warning": language_warning(report),
    }


@comms_required
@require_POST
def panel(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", Language.EN)
    if language not in Language.values:
        language = Language.EN
    title = request.POST.get("title", "")[:500]
    body = request.POST.get("body", "")[:MAX_CHARS]
    report = plain_language_check(title=title, body=body, language=language)
    text = plain_language_text(title=title, body=body)
    return render(request, "studio/items/_plain_language.html", panel_context(report, text=text))
