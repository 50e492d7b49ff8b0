"""Learning the parts' weights from the facilitators' decisions.

Every shortlist, introduction and later stage is a positive label; every rejection a negative.
The weights are fitted on the older three quarters of the decisions, starting from the hand-set
ones, and kept only when they rank the newest quarter better than the hand-set weights do
(ROC AUC on those held-out decisions). Kept weights go to the database, noted in the change
log: the running matcher takes them at once, every other worker on its next request."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session, col, select

from matchmaker.engine import ranker
from matchmaker.engine.matching import Matcher
from matchmaker.engine.ranker import Ranker
from matchmaker.tables import Listing, Match
from matchmaker.vocab import MatchStatus as S

log = logging.getLogger(__name__)

POSITIVE = frozenset({S.shortlisted, S.introduced, S.negotiating, S.pilot, S.realised})
NEGATIVE = frozenset({S.rejected})
MIN_DECISIONS = 40  # fewer, and the newest quarter is too small to tell the two apart
HELD_OUT = 0.25


@dataclass
class TrainReport:
    decisions: int
    positives: int
    kept: bool
    reason: str
    hand_set_auc: float | None = None
    learned_auc: float | None = None

    def __str__(self) -> str:
        scores = (
            f"; held-out AUC hand-set {self.hand_set_auc:.3f}, learned {self.learned_auc:.3f}"
            if self.hand_set_auc is not None and self.learned_auc is not None
            else ""
        )
        return f"{self.decisions} decisions ({self.positives} positive): {self.reason}{scores}"


def decisions(session: Session, matcher: Matcher) -> list[tuple[dict[str, float], int]]:
    """Each decided match, oldest first: its parts as scored now, and 1 or 0."""
    rows = session.exec(
        select(Match)
        .where(col(Match.status).in_([*POSITIVE, *NEGATIVE]))
        .order_by(col(Match.updated_at), col(Match.id))
    ).all()
    ids = {i for m in rows for i in (m.offer_id, m.need_id)}
    listings = {
        lst.id: lst for lst in session.exec(select(Listing).where(col(Listing.id).in_(ids)))
    }
    out = []
    for m in rows:
        offer, need = listings.get(m.offer_id), listings.get(m.need_id)
        if offer is None or need is None:
            continue
        fit = matcher.pair_fit(session, need, offer)
        out.append((ranker.values_of(fit.parts), int(m.status in POSITIVE)))
    return out


def auc(model: Ranker, labelled: list[tuple[dict[str, float], int]]) -> float:
    from sklearn.metrics import roc_auc_score

    labels = [y for _, y in labelled]
    return float(roc_auc_score(labels, [model.logit(x) for x, _ in labelled]))


def train(session: Session, matcher: Matcher) -> TrainReport:
    """Fit, compare on the newest decisions, and keep the learned weights only if better."""
    labelled = decisions(session, matcher)
    positives = sum(y for _, y in labelled)
    report = TrainReport(len(labelled), positives, kept=False, reason="")
    cut = int(len(labelled) * (1 - HELD_OUT))
    older, newer = labelled[:cut], labelled[cut:]
    if len(labelled) < MIN_DECISIONS or len({y for _, y in older}) < 2:
        report.reason = f"too few decisions to learn from (at least {MIN_DECISIONS}, both kinds)"
    elif len({y for _, y in newer}) < 2:
        report.reason = "the newest decisions are all of one kind: nothing to compare on"
    else:
        rows, labels = zip(*older, strict=True)
        learned = ranker.fit(rows, labels, source="learned", prior=ranker.HAND_SET)
        report.hand_set_auc, report.learned_auc = auc(ranker.HAND_SET, newer), auc(learned, newer)
        if report.learned_auc > report.hand_set_auc:
            rows, labels = zip(*labelled, strict=True)  # keep: refit on every decision
            final = ranker.fit(rows, labels, source="learned", prior=ranker.HAND_SET)
            final = Ranker(
                final.weights,
                final.intercept,
                "learned",
                len(labelled),
                {"hand-set AUC": report.hand_set_auc, "learned AUC": report.learned_auc},
            )
            ranker.save(session, final)
            matcher.ranker = final
            report.kept, report.reason = True, "learned weights rank the newest decisions better"
        else:
            report.reason = "hand-set weights rank the newest decisions as well or better"
    if not report.kept:
        ranker.save(session, None)
        matcher.ranker = ranker.HAND_SET
    session.commit()
    log.info("train: %s", report)
    return report
