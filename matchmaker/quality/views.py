"""What the page "How good are the suggestions?" shows of the report: tables, worded.

Systems, groups and bands come from the report; the ones named here are translated, any other
is shown by the name the report gives it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from matchmaker.quality.report import Band, CurvePoint, Loaded, Metrics, Report, Seeds
from matchmaker.web.i18n import LANGUAGES, N_, Translator

SPLIT = "test"  # the held-out part: nothing was tuned on it
PRODUCT = "product"
NONE = "–"
DIGITS = 2  # of an MRR: 0,82

SYSTEMS = {
    PRODUCT: N_("quality.system.product"),
    "semantic alone": N_("quality.system.semantic"),
    "language alone": N_("quality.system.language"),
    "wording alone": N_("quality.system.wording"),
    "category alone": N_("quality.system.category"),
    "distance alone": N_("quality.system.distance"),
    "quantity alone": N_("quality.system.quantity"),
    "timing alone": N_("quality.system.timing"),
    "semantic + CSLS": N_("quality.system.csls"),
    "raw cosine": N_("quality.system.raw_cosine"),
    "BM25": N_("quality.system.bm25"),
    "TF-IDF": N_("quality.system.tfidf"),
}
GROUPS = {
    "all": N_("quality.group.all"),
    "cross-language": N_("quality.group.cross"),
    "same-language": N_("quality.group.same"),
}
BANDS = {"strong": N_("quality.band.strong"), "possible": N_("quality.band.possible")}
PROBLEMS = {"missing": N_("quality.missing"), "unreadable": N_("quality.unreadable")}
RANKERS = {"hand-set": N_("quality.ranker.hand_set"), "learned": N_("quality.ranker.learned")}
RECALL = re.compile(r"R@(\d+)")


@dataclass
class Cell:
    text: str
    best: bool = False


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Table:
    """One table: `corner` heads the column of row labels, `columns` the others."""

    id: str
    caption: str
    corner: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class QualityView:
    problem: str = ""  # why there is no report to show, or ""
    setup: str = ""
    devset: str = ""
    mrr: str = ""
    product: Table | None = None
    compare: Table | None = None
    bands: Table | None = None
    curve: Table | None = None
    hygiene: str = ""


def quality_view(loaded: Loaded, t: Translator, themes: Mapping[str, str]) -> QualityView:
    """The page's content; `themes`: slug -> name in the UI language, in the themes' order."""
    report = loaded.report
    if report is None:
        return QualityView(problem=t(PROBLEMS[loaded.problem or "missing"]))
    results = report.splits.get(SPLIT, {})
    return QualityView(
        setup=t(
            "quality.setup",
            space=report.space or NONE,
            ranker=label(RANKERS, report.ranker, t) or NONE,
        ),
        devset=devset_text(report, t),
        mrr=t("quality.mrr", first=t.number(1), second=t.number(0.5)),
        product=product_table(results[PRODUCT], t, themes) if PRODUCT in results else None,
        compare=compare_table(results, t, themes) if results else None,
        bands=bands_table(report.bands, t) if report.bands else None,
        curve=curve_table(report.learning_curve, t) if report.learning_curve else None,
        hygiene=hygiene_text(report.seeds, t) if report.seeds else "",
    )


def label(known: Mapping[str, str], name: str, t: Translator) -> str:
    return t(known[name]) if name in known else name


def group_label(group: str, t: Translator, themes: Mapping[str, str]) -> str:
    kind, _, value = group.partition(":")
    if kind == "from" and value in LANGUAGES:
        return t("quality.group.from", language=t.label("language", value))
    if kind == "theme" and value in themes:
        return t("quality.group.theme", theme=themes[value])
    return label(GROUPS, group, t)


def group_order(groups: list[str], themes: Mapping[str, str]) -> list[str]:
    """The overall groups first, then by the listing's language, then by theme, then the rest."""
    known_themes = list(themes)

    def key(group: str) -> tuple[int, int, str]:
        kind, _, value = group.partition(":")
        if group in GROUPS:
            return (0, list(GROUPS).index(group), "")
        if kind == "from":
            return (1, LANGUAGES.index(value) if value in LANGUAGES else len(LANGUAGES), value)
        if kind == "theme":
            at = known_themes.index(value) if value in themes else len(known_themes)
            return (2, at, value)
        return (3, 0, group)

    return sorted(groups, key=key)


def recall_metrics(groups: Mapping[str, Metrics]) -> list[str]:
    """The recall@k the report has ("R@1", "R@5", …), by k."""
    found = {name for metrics in groups.values() for name in metrics if RECALL.fullmatch(name)}
    return sorted(found, key=lambda name: int(name[2:]))


def product_table(groups: Mapping[str, Metrics], t: Translator, themes: Mapping[str, str]) -> Table:
    recalls = recall_metrics(groups)
    table = Table(
        "quality-product",
        t("quality.product_caption"),
        t("quality.col.group"),
        [
            t("quality.col.n"),
            "MRR",
            *(t("quality.col.recall", k=name[2:]) for name in recalls),
        ],
    )
    for group in group_order(list(groups), themes):
        m = groups[group]
        cells = [
            Cell(t.number(m["n"], 0) if "n" in m else NONE),
            Cell(mrr(m, t)),
            *(Cell(t.percent(m[name]) if name in m else NONE) for name in recalls),
        ]
        table.rows.append(Row(group_label(group, t, themes), cells))
    return table


def mrr(metrics: Metrics, t: Translator) -> str:
    return t.fixed(metrics["MRR"], DIGITS) if "MRR" in metrics else NONE


def compare_table(
    results: Mapping[str, Mapping[str, Metrics]], t: Translator, themes: Mapping[str, str]
) -> Table:
    """MRR per group (rows) and system (columns), the product first; the best of a row marked."""
    systems = sorted(results, key=lambda s: s != PRODUCT)
    table = Table(
        "quality-compare",
        t("quality.compare_caption"),
        t("quality.col.group"),
        [label(SYSTEMS, s, t) for s in systems],
    )
    groups = {g: None for s in systems for g in results[s]}  # every system's, in order
    for group in group_order(list(groups), themes):
        # compared as shown: two that both read 0,82 are both the best of their row
        values = [results[s].get(group, {}).get("MRR") for s in systems]
        shown = [None if v is None else round(v, DIGITS) for v in values]
        best = max((v for v in shown if v is not None), default=None)
        cells = [
            Cell(NONE) if v is None else Cell(t.fixed(v, DIGITS), best=v == best) for v in shown
        ]
        table.rows.append(Row(group_label(group, t, themes), cells))
    return table


def bands_table(bands: Mapping[str, Band], t: Translator) -> Table:
    table = Table(
        "quality-bands",
        t("quality.bands_caption"),
        t("quality.col.band"),
        [
            t("quality.col.floor"),
            t("quality.col.suggestions"),
            t("quality.col.precision"),
            t("quality.col.reached"),
        ],
    )
    for name, b in bands.items():
        cells = [
            Cell(t.number(b.floor, 0)),
            Cell(t.number(b.suggestions, 0)),
            # no suggestion in the band: "how often it was right" has no answer, not 0 %
            Cell(t.percent(b.precision) if b.suggestions else NONE),
            Cell(t.percent(b.partners_reached)),
        ]
        table.rows.append(Row(label(BANDS, name, t), cells))
    return table


def curve_table(curve: list[CurvePoint], t: Translator) -> Table:
    table = Table(
        "quality-curve",
        t("quality.curve_caption"),
        t("quality.col.decisions"),
        [t("quality.col.learned"), t("quality.col.hand_set")],
    )
    for point in sorted(curve, key=lambda p: p.decisions):
        cells = [Cell(t.fixed(point.learned, DIGITS)), Cell(t.fixed(point.hand_set, DIGITS))]
        table.rows.append(Row(t.number(point.decisions, 0), cells))
    return table


def devset_text(report: Report, t: Translator) -> str:
    if report.pairs is None or report.distractors is None or report.cross_language_pairs is None:
        return t("quality.devset_plain")
    return t(
        "quality.devset",
        pairs=t.number(report.pairs, 0),
        cross=t.number(report.cross_language_pairs, 0),
        distractors=t.number(report.distractors, 0),
    )


def hygiene_text(seeds: Seeds, t: Translator) -> str:
    return t(
        "quality.hygiene",
        suggestions=t.number(seeds.suggestions, 0),
        listings=t.number(seeds.listings, 0),
        expired_listings=t.number(seeds.expired_listings, 0),
        own=t.number(seeds.own, 0),
        expired=t.number(seeds.expired, 0),
    )
