"""The request shapes of the workspace's API, which its pages validate their forms with too."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from matchmaker.shapes import StrictModel
from matchmaker.vocab import MatchStatus, Unit


class RefreshIn(StrictModel):
    threshold: Annotated[
        float | None, Field(ge=0, le=100, description="default: the queue_threshold setting")
    ] = None
    per_listing: Annotated[int, Field(ge=1, le=20)] = 3


class MoveIn(StrictModel):
    status: MatchStatus
    reason: Annotated[str | None, Field(max_length=60)] = None
    note: Annotated[str, Field(max_length=2000)] = ""
    agreed: bool = Field(
        default=False,
        description="the anonymous sides that have not accepted agreed by other means "
        "(needed to move such a match past introduced; recorded in its history)",
    )


class MessageIn(StrictModel):
    subject: Annotated[str, Field(min_length=1, max_length=300)]
    body: Annotated[str, Field(min_length=1, max_length=10_000)]


class IntroductionIn(StrictModel):
    offer: MessageIn | None = None
    need: MessageIn | None = None

    def edited(self) -> dict[str, tuple[str, str]]:
        """The sides whose message was edited: side -> (subject, body)."""
        sides = (("offer", self.offer), ("need", self.need))
        return {side: (m.subject, m.body) for side, m in sides if m}


class ImpactIn(StrictModel):
    amount_per_year: Annotated[float, Field(gt=0, lt=1e9)]
    unit: Unit
