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
def session_and_matcher(
    request: Request, *, catch_up: bool = True
) -> Iterator[tuple[Session, Matcher | None]]:
    """get_session and get_matcher for a route that does its work in one call: FastAPI runs
    each sync dependency in a worker thread of its own, a hop that costs as much as a cached
    answer's SQL. With catch_up=False the matcher comes only if it is in step with the change
    log already (one primary-key lookup, no lock), else None: catching up may take seconds
    (a rebuild after a bulk import), which is a worker thread's to wait for, not the event
    loop's."""
    with Session(request.app.state.db_engine) as session:
        if catch_up:
            yield session, get_matcher(request, session)
            return
        matcher: Matcher = request.app.state.matcher
        yield session, matcher if matcher.in_step(session) else None


def get_code_suggester(request: Request) -> Suggester:
    suggester: Suggester = request.app.state.code_suggester
    return suggester


SessionDep = Annotated[Session, Depends(get_session)]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]
CodeSuggesterDep = Annotated[Suggester, Depends(get_code_suggester)]
