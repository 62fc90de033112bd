"""Time the plain-language checker on a 400-word text per language (docs/benchmarks.md).

Usage: .venv/bin/python bench/plain_language.py  (no database or services needed)
Each text is checked once to warm the caches (hyphenation dictionaries, jargon regex, word
lists), then N times; the median and the 95th percentile of one check are printed in ms.
"Cold" clears the per-word syllable cache first; "varied" is 400 words of different plain
sentences from the test corpus (about 200 distinct words), checked with a cold cache.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ambassadors.plain_language import check  # noqa: E402
from ambassadors.plain_language.syllables import count_syllables  # noqa: E402

EN = (
    "Our new lab in Delft opens its doors to the public on Saturday at 10 a.m. Families can "
    "try simple experiments, meet our engineers and take a short tour of the clean room. "
    "Sign up before Jan. 15 to get a seat at the writing course. Going forward, we will "
    "leverage our synergies to facilitate a holistic engagement strategy. "
)
NL = (
    "De nieuwe software van ons office team staat vanaf vandaag online op de homepage van "
    "onze website. In de update vind je een nieuwe timeline, betere service en een handige "
    "intake voor nieuwe collega's. Het project kost 2 mln. euro en wordt o.a. betaald door de "
    "buren, nl. de gemeente. Teneinde de waardecreatie te borgen, starten we een "
    "verandertraject. "
)


CORPUS = Path(__file__).resolve().parents[1] / "ambassadors" / "tests" / "data"


def varied400(language: str) -> str:
    """400 words of different plain sentences (about 200 distinct words): a new text."""
    lines = (CORPUS / f"plain_sentences_{language}.txt").read_text(encoding="utf-8").splitlines()
    words = " ".join(line for line in lines if line and not line.startswith("#")).split()
    return " ".join(words[:400])


def words400(seed: str) -> str:
    words = (seed * 20).split()
    return " ".join(words[:400])


def main(runs: int = 200) -> None:
    for language, seed in (("en", EN), ("nl", NL)):
        text = words400(seed)
        check(text, language=language)
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            check(text, language=language)
            timings.append((time.perf_counter() - start) * 1000)
        cold = []
        for _ in range(runs // 4):
            count_syllables.cache_clear()  # every word counted afresh, as for a new text
            start = time.perf_counter()
            check(text, language=language)
            cold.append((time.perf_counter() - start) * 1000)
        varied = varied400(language)
        fresh = []
        for _ in range(runs // 4):
            count_syllables.cache_clear()
            start = time.perf_counter()
            check(varied, language=language)
            fresh.append((time.perf_counter() - start) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        sys.stdout.write(
            f"{language}: 400 words, warm median {statistics.median(timings):.2f} ms, "
            f"p95 {p95:.2f} ms; cold word cache median {statistics.median(cold):.2f} ms; "
            f"varied text, cold median {statistics.median(fresh):.2f} ms\n"
        )


if __name__ == "__main__":
    main()
