"""FastAPI dependencies: the database session, the matcher and the code suggester of the app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from matchmaker.engine.ewc_suggest import Suggester
from matchmaker.engine.matching import Matcher


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.db_engine) as session:
        yield session


def get_matcher(request: Request, session: Annotated[Session, Depends(get_session)]) -> Matcher:
    """The matcher, in step with every listing any worker committed before this request."""
    matcher: Matcher = request.app.state.matcher
    matcher.follow(session)
    return matcher


@contextmanager
def in_one_thread(request: Request) -> Iterator[tuple[Session, Matcher]]:
    """get_session and get_matcher for a route that does all its work in one worker thread:
    FastAPI runs each sync dependency in a thread of its own, a hop that costs as much as a
    cached answer's SQL."""
    with Session(request.app.state.db_engine) as session:
        yield session, get_matcher(request, session)


def get_code_suggester(request: Request) -> Suggester:
    suggester: Suggester = request.app.state.code_suggester
    return suggester


SessionDep = Annotated[Session, Depends(get_session)]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]
CodeSuggesterDep = Annotated[Suggester, Depends(get_code_suggester)]
