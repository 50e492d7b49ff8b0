"""A small language guesser for fi/sv/en text, for search queries and unlabelled rows."""

from __future__ import annotations

import re

from matchmaker.vocab import Language

_WORDS = {
    Language.fi: set(
        "ja on ei se että tai kuin myös sekä joka jota mutta vuodessa viikossa kuukaudessa "
        "etsii etsimme tarjoaa tarjoamme meillä meidän tarvitsemme voidaan kanssa noin "
        "yli alle jälkeen ennen mukaan varten ovat olla oli tämä nämä sivuvirta jäte".split()
    ),
    Language.sv: set(
        "och är att det som för med på av till en ett från inte eller också vi vår våra "
        "söker erbjuder behöver finns kan per år vecka månad inom efter utan där här "
        "mellan under över sidoström avfall".split()
    ),
    Language.en: set(
        "the and of to in for with is are we our a an from by per year week month seeks "
        "seeking offer offers need needs looking available can which that this these "
        "on at as or be waste side stream".split()
    ),
}
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def guess(text: str, default: Language = Language.en) -> Language:
    """The most likely language by function words and letters; `default` on no evidence."""
    words = [w.casefold() for w in _TOKEN.findall(text)]
    score = {lang: sum(w in vocab for w in words) * 2.0 for lang, vocab in _WORDS.items()}
    lowered = text.casefold()
    score[Language.sv] += 1.5 * lowered.count("å")
    score[Language.fi] += 0.5 * (lowered.count("ä") + lowered.count("ö"))
    score[Language.fi] += 0.5 * sum(1 for w in words if re.search(r"(aa|ee|ii|uu|yy|ää|öö)", w))
    best = max(score, key=lambda lang: score[lang])
    return best if score[best] > 0 else default
