"""FastAPI dependencies: the database session and the matcher of the running app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from matchmaker.engine.matching import Matcher


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.db_engine) as session:
        yield session


def get_matcher(request: Request) -> Matcher:
    matcher: Matcher = request.app.state.matcher
    return matcher


SessionDep = Annotated[Session, Depends(get_session)]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]
