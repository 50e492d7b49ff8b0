"""The evaluation report as Markdown: the tables `make eval` prints and the README keeps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FIRST = ("all", "cross-language", "same-language")


def group_order(groups: Mapping[str, Any]) -> list[str]:
    return [*(g for g in FIRST if g in groups), *sorted(g for g in groups if g not in FIRST)]


def mrr_table(results: Mapping[str, Mapping[str, Mapping[str, float]]]) -> str:
    """One row per group: the MRR of every system, the best of each row in bold."""
    names = list(results)
    groups = results[names[0]]
    lines = [
        "| group | n | " + " | ".join(names) + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    for g in group_order(groups):
        values = [results[s][g]["MRR"] for s in names]
        best = max(values)
        cells = [f"**{v:.3f}**" if v == best else f"{v:.3f}" for v in values]
        lines.append(f"| {g} | {groups[g]['n']:.0f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def recall_table(results: Mapping[str, Mapping[str, Mapping[str, float]]], system: str) -> str:
    groups = results[system]
    lines = ["| group | n | MRR | R@1 | R@5 | R@10 |", "|---|---:|---:|---:|---:|---:|"]
    for g in group_order(groups):
        m = groups[g]
        lines.append(
            f"| {g} | {m['n']:.0f} | {m['MRR']:.3f} | {m['R@1']:.2f} | {m['R@5']:.2f} "
            f"| {m['R@10']:.2f} |"
        )
    return "\n".join(lines)


def markdown(report: Mapping[str, Any], *, show_fit: bool = False) -> str:
    out = [
        f"{report['pairs']} pairs ({report['cross_language_pairs']} across languages), "
        f"{report['distractors']} distractors, one mixed pool, queries both ways; "
        f"vector space {report['space']}; weights {report['ranker']}"
    ]
    for split in ("test", "train"):
        results = report["splits"].get(split)
        if not results:
            continue
        out += [
            "",
            f"### {split} split: MRR of the product, each of its parts alone, and the baselines",
            "",
            mrr_table(results),
            "",
            f"{split} split, the product: MRR and recall@k",
            "",
            recall_table(results, "product"),
        ]
    bands = report.get("bands", {})
    if bands:
        out += ["", "| band | floor | suggestions | true partner | partners reaching it |"]
        out.append("|---|---:|---:|---:|---:|")
        for name, b in bands.items():
            out.append(
                f"| {name} | {b['floor']:.0f} | {b['suggestions']} | {b['precision']:.0%} "
                f"| {b['partners_reached']:.0%} |"
            )
    curve = report.get("learning_curve", [])
    if curve:
        names = [k for k in curve[0] if k != "decisions"]
        out += ["", "| decisions | " + " | ".join(f"{n} (test MRR)" for n in names) + " |"]
        out.append("|---:|" + "---:|" * len(names))
        out += [
            f"| {c['decisions']} | " + " | ".join(f"{c[n]:.3f}" for n in names) + " |"
            for c in curve
        ]
    seeds = report.get("seeds")
    if seeds:
        out += [
            "",
            f"Demo seeds: {seeds['listings']} listings ({seeds['expired_listings']} put past "
            f"their date), {seeds['suggestions']} suggestions: {seeds['own']} of the listing's "
            f"own organisation, {seeds['expired']} expired.",
        ]
    if show_fit and "fitted" in report:
        fitted = report["fitted"]
        out += ["", "Weights fitted on the training split (for ranker.HAND_SET):", ""]
        out += [f"    {name!r}: {w}," for name, w in fitted["weights"].items()]
        out.append(f"    intercept={fitted['intercept']}")
    return "\n".join(out)
