"""How the score parts become one calibrated score: a logistic model over the parts.

The score is the model's probability, in per cent, that a facilitator would call the pair a
real partner. Its weights are either the hand-set ones below, fitted once on the training half
of the development set (`python -m matchmaker eval --fit` prints them again), or weights learned
from the facilitators' own decisions (`python -m matchmaker train`), used only when they rank
held-out decisions better. scikit-learn does the fitting, behind `fit` alone.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar, cast

from sqlmodel import Session

from matchmaker import changelog
from matchmaker.shared_tables import EngineState
from matchmaker.tables import utcnow

# The parts, in the order they are shown. "language" is 1 when both listings are written in one
# language: the model's vectors pull such texts together, and the weight on this part takes the
# pull back out. "wording" is the shared wording, compared only within one language.
FEATURES = (
    "semantic",
    "language",
    "wording",
    "category",
    "distance",
    "quantity",
    "timing",
    "codes",
)
# What a part the listings do not say enough for counts as: the middle, neither for nor against;
# wording that was not compared (two languages) counts as none, the language part carries it.
UNKNOWN: dict[str, float] = {name: 0.5 for name in FEATURES} | {"wording": 0.0}

# Bands of the calibrated score (per cent): "strong" and "possible" suggestions; below the
# possible floor a listing has no good match yet. Chosen on the development set's training half
# (a pool of about 50 candidates a query; `make eval` prints the table they were read from):
# 48 % of the suggestions scoring 25 or more were the true partner; 87 % of the true partners
# scored 3 or more, and 1 % of the listings had nothing that high. (A lenient floor on purpose:
# a pair that says little, no amounts and two languages, scores low however right it is.)
STRONG = 25.0
POSSIBLE = 3.0
STATE = "ranker"  # learned weights: their EngineState row, written by `train`
Value = TypeVar("Value")  # a float, or a NumPy array of one value per pair


@dataclass(frozen=True)
class Ranker:
    weights: Mapping[str, float]
    intercept: float
    source: str = "hand-set"  # or "learned"
    trained_on: int = 0  # decisions behind learned weights
    held_out: dict[str, float] = field(default_factory=dict)  # MRR of both on held-out decisions

    def logit(self, values: Mapping[str, Value]) -> Value:
        """Of one pair's values, or elementwise of arrays of many pairs' (scoring.pairs): the
        same float operations in the same order either way, so both give the same numbers."""
        given: Mapping[str, Any] = values
        total = sum(w * given.get(n, UNKNOWN[n]) for n, w in self.weights.items())
        return cast(Value, self.intercept + total)

    def score(self, values: Mapping[str, float]) -> float:
        """0..100: the probability, in per cent, that the pair is a real partner."""
        return percent(self.logit(values))

    def to_json(self) -> str:
        return json.dumps(asdict(self) | {"weights": dict(self.weights)}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Ranker:
        data = json.loads(text)
        weights = {n: float(data["weights"][n]) for n in FEATURES if n in data["weights"]}
        return cls(
            weights,
            float(data["intercept"]),
            str(data.get("source", "learned")),
            int(data.get("trained_on", 0)),
            {str(k): float(v) for k, v in data.get("held_out", {}).items()},
        )


# Fitted on the development set's training half by `python -m matchmaker eval --fit` (scikit-learn's
# logistic regression, every candidate of every training query, its partner 1, each seen once
# more with its quantity and place unknown, as real listings often leave them). The dev set gives
# no dates: the timing weight is set by hand, small; the codes weight is fitted like the rest.
HAND_SET = Ranker(
    weights={
        "semantic": 12.0249,
        "language": -0.8116,
        "wording": 3.3089,
        "category": 3.0653,
        "distance": 0.4707,
        "quantity": 2.8283,
        "timing": 1.0,
        "codes": 4.8545,
    },
    intercept=-11.9121 - 0.5,  # the timing part's unknown middle taken back out
)


def percent(z: float) -> float:
    """A logit as the calibrated score: the probability in per cent."""
    return 100.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def band(score: float) -> str:
    """strong, possible or weak: what a score means in words."""
    return "strong" if score >= STRONG else "possible" if score >= POSSIBLE else "weak"


def values_of(parts: Sequence[Any]) -> dict[str, float]:
    """The model's inputs from scoring Parts: a part's value, or what unknown counts as."""
    return {p.name: UNKNOWN[p.name] if p.value is None else float(p.value) for p in parts}


def fit(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[int],
    *,
    source: str,
    prior: Ranker | None = None,
    strength: float = 1.0,
) -> Ranker:
    """A logistic model over the parts, from labelled pairs (1: a partner, 0: not).

    Without a prior, scikit-learn's L2-regularised logistic regression. With a `prior`, its
    weights are the starting point and the penalty pulls towards them instead of towards zero:
    a few labels nudge the prior, many can move it as far as they say."""
    import numpy as np

    x = np.array([[r.get(n, UNKNOWN[n]) for n in FEATURES] for r in rows], dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if prior is None:
        from sklearn.linear_model import LogisticRegression

        # a part the labels never vary (no dates anywhere) says nothing: its weight stays 0
        varies = x.std(axis=0) > 0
        model = LogisticRegression(C=strength, max_iter=5000)
        model.fit(x[:, varies], y.astype(np.int64))
        coef = np.zeros(len(FEATURES))
        coef[varies] = model.coef_[0]
        intercept = float(model.intercept_[0])
    else:
        coef, intercept = _fit_towards(x, y, prior, strength)
    weights = {n: round(float(w), 4) for n, w in zip(FEATURES, coef, strict=True)}
    return Ranker(weights, round(intercept, 4), source, len(labels))


def _fit_towards(x: Any, y: Any, prior: Ranker, strength: float) -> tuple[Any, float]:
    """Logistic loss plus an L2 pull towards the prior's weights (scipy's L-BFGS)."""
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import expit, log_expit

    start = np.array([prior.weights.get(n, 0.0) for n in FEATURES] + [prior.intercept])
    design = np.column_stack([x, np.ones(len(x))])

    def loss(theta: Any) -> tuple[float, Any]:
        z = design @ theta
        nll = -float(np.sum(y * log_expit(z) + (1 - y) * log_expit(-z)))
        pull = theta[:-1] - start[:-1]  # the intercept moves freely: decisions have their rate
        grad = design.T @ (expit(z) - y)
        grad[:-1] += pull / strength
        return nll + float(pull @ pull) / (2 * strength), grad

    theta = minimize(loss, start, jac=True, method="L-BFGS-B").x
    return theta[:-1], float(theta[-1])


def load(session: Session) -> Ranker | None:
    """Learned weights saved by `train`, or None when there are none (or they are unreadable)."""
    row = session.get(EngineState, STATE)
    if row is None:
        return None
    try:
        return Ranker.from_json(row.value)
    except (ValueError, KeyError, TypeError):
        return None


def save(session: Session, model: Ranker | None) -> None:
    """Keep learned weights (None: back to the hand-set ones) in the open transaction, noted
    in the change log so that every worker ranks with them on its next request."""
    row = session.get(EngineState, STATE)
    if model is None:
        if row is not None:
            session.delete(row)
    else:
        row = row or EngineState(name=STATE, value="")
        row.value, row.at = model.to_json(), utcnow()
        session.add(row)
    changelog.note(session, changelog.RANKER)
