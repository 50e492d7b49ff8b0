"""JSON API for waste codes: one code of the European Waste Catalogue, and codes for a text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from matchmaker import errors
from matchmaker.accounts import auth
from matchmaker.deps import CodeSuggesterDep
from matchmaker.engine import ewc
from matchmaker.engine.ewc_suggest import NotReady
from matchmaker.errors import InputError, NotFound
from matchmaker.listings.schemas import WasteCode, WasteCodeSuggestion
from matchmaker.vocab import Language

router = APIRouter(prefix="/api/ewc", tags=["waste codes"])

WAIT = 10.0  # seconds a request waits for the code vectors (made once per model) before 503
Lang = Annotated[
    Language, Query(description="the descriptions' language: sv, else English (no Finnish list)")
]


def waste_code(code: str, lang: Language) -> WasteCode:
    return WasteCode(
        code=code,
        written=ewc.spaced(code),
        description=ewc.describe(code, lang.value),
        description_language=Language(ewc.DESCRIBED_IN[lang.value]),
        hazardous=ewc.hazardous(code),
        sub_chapter=ewc.heading(code[:4], lang.value),
        chapter=ewc.heading(code[:2], lang.value),
    )


@router.get(
    "/suggestions",
    response_model=list[WasteCodeSuggestion],
    responses={
        503: errors.answer(
            "The codes are still being prepared (once after an install or a change of model): "
            "try again in a minute."
        )
    },
)
def suggestions(
    suggester: CodeSuggesterDep,
    _: auth.ViewerDep,
    text: Annotated[
        str,
        Query(
            min_length=1,
            max_length=5000,
            description="a listing's title and description, in Finnish, Swedish or English",
        ),
    ],
    lang: Lang = Language.en,
    k: Annotated[int, Query(ge=1, le=20)] = 3,
) -> list[WasteCodeSuggestion]:
    """The codes of the list that fit the text best, best first."""
    if not text.strip():
        raise InputError("text", "write a few words about the material")
    try:
        found = suggester.suggest(text, k, wait=WAIT)
    except NotReady as exc:
        raise HTTPException(503, str(exc)) from None
    return [
        WasteCodeSuggestion(**waste_code(s.code, lang).model_dump(), score=s.score) for s in found
    ]


@router.get(
    "/{code}",
    response_model=WasteCode,
    responses={404: errors.answer("The code is not in the European Waste Catalogue.")},
)
def read_code(
    code: Annotated[str, Path(max_length=20, description="17 01 01, 170101 or 17-01-01")],
    _: auth.ViewerDep,
    lang: Lang = Language.en,
) -> WasteCode:
    try:
        six = ewc.normalise(code)
    except ewc.CodeError as exc:
        if exc.reason == "unknown":
            raise NotFound(str(exc)) from None
        raise InputError("code", str(exc)) from None
    return waste_code(six, lang)
