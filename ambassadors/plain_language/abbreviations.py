"""Abbreviation lists for sentence splitting, read from ``data/abbreviations_<language>.tsv``.

Each list says, per abbreviation, what its full stop means (see the file headers for the
sources): ``title`` and ``inner`` never end a sentence, ``final`` ends one only before a
capital letter, and ``label`` rows name the words after which a single capital letter is a
label ("size S.") rather than a name's initial ("by J. Smith").
"""

from functools import lru_cache
from importlib import resources

KINDS = ("title", "inner", "final", "label")
_LANGUAGES = ("en", "nl")


def parse_abbreviations(
    text: str, *, source: str = "<string>"
) -> tuple[dict[str, str], dict[str, str]]:
    """Parse ``abbreviation<TAB>kind[<TAB>spoken form]`` lines.

    Returns ({abbreviation: kind}, {abbreviation: spoken form}), keys in lower case. Raises
    ValueError for a malformed line, an unknown kind, a repeated entry, or an abbreviation (any
    kind but ``label``) that does not end in a full stop.
    """
    table: dict[str, str] = {}
    spoken: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        entry, tab, rest = line.partition("\t")
        kind, _tab, said = rest.partition("\t")
        entry, kind, said = entry.strip().lower(), kind.strip(), said.strip()
        if not tab or not entry or kind not in KINDS:
            raise ValueError(f"{source}:{number}: expected 'abbreviation<TAB>{'|'.join(KINDS)}'")
        if kind != "label" and not entry.endswith("."):
            raise ValueError(f"{source}:{number}: {entry!r} must end in a full stop")
        if entry in table:
            raise ValueError(f"{source}:{number}: {entry!r} is listed twice")
        table[entry] = kind
        if said:
            spoken[entry] = said
    return table, spoken


@lru_cache(maxsize=len(_LANGUAGES))
def _load(language: str) -> tuple[dict[str, str], dict[str, str]]:
    if language not in _LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {_LANGUAGES}")
    name = f"abbreviations_{language}.tsv"
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return parse_abbreviations(text, source=name)


def load_abbreviations(language: str) -> dict[str, str]:
    """{abbreviation: kind} shipped for "en" or "nl"; raises ValueError for another language."""
    return _load(language)[0]


def spoken_forms(language: str) -> dict[str, str]:
    """{abbreviation: the words it is read as} for "en" or "nl" ("mln." → "miljoen")."""
    return _load(language)[1]


@lru_cache(maxsize=1)
def all_abbreviations() -> dict[str, str]:
    """Both languages in one table: the splitter runs before the text's language is known
    (and the item's language may be wrong). Where the lists disagree, the stricter kind wins
    (title/inner over final), so a doubtful full stop keeps a sentence whole."""
    merged: dict[str, str] = {}
    for language in _LANGUAGES:
        for entry, kind in load_abbreviations(language).items():
            if merged.get(entry) in ("title", "inner") and kind == "final":
                continue
            merged[entry] = kind
    return merged
