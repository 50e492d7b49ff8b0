"""The results as one Markdown table, with each target's verdict, and as JSON."""

from __future__ import annotations

from typing import Any

from bench import workers
from bench.http import failed, within

Row = tuple[str, str, str, str]  # measure, figure, target, verdict


def _ms(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "**missed**")


def targets(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target of issue 6 as a figure, a bound and whether the figure is within it."""
    out: dict[str, dict[str, Any]] = {}
    if r.get("sizes"):
        big = r["sizes"][-1]
        # int keys in a run, str keys once read back from results.json
        h8, b8, b1 = (
            d.get(c) or d.get(str(c))
            for d, c in ((big["http"], 8), (big["bare"], 8), (big["bare"], 1))
        )
        if h8 and b8 and b1:
            bound = 2 * b8["p95_ms"] + 5
            out["http_p95"] = {
                "n": big["n"],
                "figure_ms": h8["p95_ms"],
                "bound_ms": bound,
                "bare_p95_8_threads_ms": b8["p95_ms"],
                "bare_p95_1_thread_ms": b1["p95_ms"],
                "bound_vs_1_thread_ms": 2 * b1["p95_ms"] + 5,
                "met": within(h8, bound),
            }
        out["rss"] = {
            "n": big["n"],
            "figure_mb": big["rss_model_mb"],
            "without_model_mb": big["rss_started_mb"],
            "bound_mb": 1536,
            "met": big["rss_model_mb"] <= 1536,
        }
    if r.get("import"):
        out["import"] = {
            "figure": r["import"]["ratio"],
            "bound": 0.8,
            "met": r["import"]["ratio"] >= 0.8,
        }
    if r.get("coldstart"):
        c = r["coldstart"]
        out["coldstart"] = {
            "figure_s": c["first_answer_s"],
            "re_embedded": c["re_embedded"],
            "bound_s": 5.0,
            "met": c["first_answer_s"] <= 5.0 and c["re_embedded"] == 0,
        }
    if r.get("workers"):
        out["workers_http_p95"] = workers.target(r["workers"])
    if q := r.get("queue"):
        out["queue"] = {
            "queued": q["queued"],
            "page_p95_ms": q["page"]["p95_ms"],
            "decision_p95_ms": q["decision"]["p95_ms"],
            "bound_ms": q["target_ms"],
            "met": q["met"],
        }
    if r.get("million"):
        m = r["million"]
        choice = m["hnsw_choice"]
        out["million"] = {
            "index": f"HNSW M=32 efSearch {choice['ef_search']}",
            "p95_ms": choice["p95_ms"],
            "recall_at_10": choice["recall_at_10"],
            "met": choice["p95_ms"] <= 50 and choice["recall_at_10"] >= 0.95,
        }
    return out


def rows(r: dict[str, Any]) -> list[Row]:
    t = targets(r)
    out: list[Row] = []
    for e in r.get("encoders", []):
        if "error" in e:
            out.append((f"encoder {e['engine']}", f"failed: {e['error']}", "", ""))
            continue
        allc = e.get("batch32_all_cores")
        out.append(
            (
                f"encoder {e['engine']}: texts/s at batch 1 / 32 (1 thread)"
                + (f" / 32 ({e['cores']} threads)" if allc else ""),
                f"{e['batch1']:.1f} / {e['batch32']:.1f}"
                + (f" / {allc:.1f}" if allc else "")
                + f"; load {e['load_s']:.1f} s; RSS {e['rss_loaded_mb']:.0f} MB loaded, "
                f"{e['rss_after_mb']:.0f} MB after a batch of 32",
                "",
                "",
            )
        )
    if (b := r.get("model_rebuild")) is not None:
        out.append(
            (
                "model build over a complete build (`make model` again)",
                f"{b['seconds']:.2f} s; files "
                + ("untouched" if b["untouched"] else "**rewritten**"),
                "",
                "",
            )
        )
    if (i := r.get("import")) is not None:
        out.append(
            (
                f"bulk import of {i['listings']:,} listings (`seeding.load` in "
                f"{i.get('sheets', 1)} sheets + `Matcher.sync`; {i['threads']} torch "
                f"thread{'s' if i['threads'] > 1 else ''})",
                f"{i['listings_per_s']:.1f} listings/s vs raw encoder "
                f"{i['raw_texts_per_s']:.1f} texts/s = **{i['ratio']:.0%}** (encoder "
                f"{i['encoder_in_import_s']:.1f} s of {i['import_s']:.1f} s)",
                "≥ 80 %",
                _verdict(t["import"]["met"]),
            )
        )
    for s in r.get("sizes", []):
        n = f"{s['n']:,}"
        rb, b1, fl = s["rebuild"], s["bare"][1], s["flat_all_themes"]
        out.append(
            (
                f"index {n}: rebuild from stored vectors; one query (k=50, its partition)",
                f"{rb['rebuild_s']:.2f} s ({rb['partitions']} partitions); p50 "
                f"{_ms(b1['p50_ms'])} / p95 {_ms(b1['p95_ms'])} ms",
                "",
                "",
            )
        )
        out.append(
            (
                f"index {n}: one exact index over all (k=10, an all-themes search)",
                f"build {fl['build_s']:.2f} s; p50 {_ms(fl['p50_ms'])} / p95 "
                f"{_ms(fl['p95_ms'])} ms",
                "",
                "",
            )
        )
        for c, h in s["http"].items():
            b = s["bare"][c]  # the same key type as s["http"]
            target, verdict = "", ""
            if s is r["sizes"][-1] and int(c) == 8 and "http_p95" in t:
                target = f"p95 ≤ 2 × bare + 5 = {t['http_p95']['bound_ms']:.1f} ms"
                verdict = _verdict(t["http_p95"]["met"])
            out.append(
                (
                    f"HTTP suggestions {n}, {c} client{'s' if int(c) > 1 else ''}",
                    f"p50 {_ms(h['p50_ms'])} / p95 **{_ms(h['p95_ms'])}** / p99 "
                    f"{_ms(h['p99_ms'])} ms, {h['rps']:.0f} req/s; bare search ({c} "
                    f"thread{'s' if int(c) > 1 else ''}) p95 {_ms(b['p95_ms'])} ms = "
                    f"{h['p95_ms'] / max(b['p95_ms'], 1e-9):.0f}×" + failed(h),
                    target,
                    verdict,
                )
            )
        if shares := s.get("profile", {}).get("shares"):
            out.append(
                (
                    f"where a request's Python time goes, {n}, "
                    f"{s['profile']['clients']} clients (py-spy, GIL-holding samples)",
                    "; ".join(f"{name} {share:.0%}" for share, name in shares if share >= 0.02),
                    "",
                    "",
                )
            )
        target, verdict = "", ""
        if s is r["sizes"][-1] and "rss" in t:
            target, verdict = "≤ 1.5 GB", _verdict(t["rss"]["met"])
        out.append(
            (
                f"server RSS {n}: after start / model loaded / after load",
                f"{s['rss_started_mb']:.0f} / **{s['rss_model_mb']:.0f}** / "
                f"{s['rss_after_load_mb']:.0f} MB",
                target,
                verdict,
            )
        )
    if (c := r.get("coldstart")) is not None:
        out.append(
            (
                f"cold start {r['sizes'][-1]['n']:,} (persisted index; `matchmaker serve`)",
                f"**{c['first_answer_s']:.2f} s** to first answer (median of {c['runs']}); "
                f"{c['re_embedded']} re-embedded; index from {'/'.join(c['index_source'])}",
                "≤ 5 s, 0 re-embedded",
                _verdict(t["coldstart"]["met"]),
            )
        )
    if (w := r.get("workers")) is not None:
        out += workers.rows(w)
    if (m := r.get("million")) is not None:
        n = f"{m['n']:,}"
        f, p = m["flat"], m["partitioned"]
        out.append(
            (
                f"{n} vectors, exact, one index (k=10)",
                f"build {f['build_s']:.1f} s; p50 {_ms(f['p50_ms'])} / p95 "
                f"{_ms(f['p95_ms'])} ms; recall 1",
                "",
                "",
            )
        )
        out.append(
            (
                f"{n} vectors, exact, {p['partitions']} partitions (k=50, own partition)",
                f"build {p['build_s']:.1f} s; largest {p['largest']:,}; p50 "
                f"{_ms(p['p50_ms'])} / p95 {_ms(p['p95_ms'])} ms; recall 1",
                "",
                "",
            )
        )
        for h in m["hnsw"]:
            chosen = h is m["hnsw_choice"] or h == m["hnsw_choice"]
            out.append(
                (
                    f"{n} vectors, HNSW M=32 efSearch {h['ef_search']} (k=10)",
                    f"p50 {_ms(h['p50_ms'])} / p95 {_ms(h['p95_ms'])} ms; recall@10 "
                    f"{h['recall_at_10']:.3f}"
                    + (f"; build {m['hnsw_build_s']:.0f} s" if chosen else ""),
                    "p95 ≤ 50 ms, recall@10 ≥ 0.95" if chosen else "",
                    _verdict(t["million"]["met"]) if chosen else "",
                )
            )
    if (q := r.get("queue")) is not None:
        from bench import queue

        bound = f"p95 ≤ {q['target_ms']:.0f} ms"
        out += [(what, figure, bound, _verdict(ok)) for what, figure, ok in queue.lines(q)]
    return out


def markdown(r: dict[str, Any]) -> str:
    lines = ["| measure | figure | target | |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows(r)]
    return "\n".join(lines)


def verdicts(r: dict[str, Any]) -> str:
    """The targets of issue 6, one line each: the figure, the bound and met or missed."""
    t, lines = targets(r), []
    if h := t.get("http_p95"):
        lines.append(
            f"HTTP p95 at {h['n']:,} listings, 8 clients: {h['figure_ms']:.0f} ms; bound "
            f"2 × bare search p95 ({h['bare_p95_8_threads_ms']:.1f} ms, 8 threads) + 5 ms "
            f"= {h['bound_ms']:.0f} ms ({h['bound_vs_1_thread_ms']:.0f} ms against the "
            f"bare search on one thread)"
        )
    if w := t.get("workers_http_p95"):
        lines.append(
            f"HTTP p95 at {w['n']:,} listings, 8 clients, 2 workers: "
            + ", ".join(f"{db} {p95:.0f} ms" for db, p95 in w["figures_ms"].items())
            + f"; bound 2 × bare search p95 + 5 ms = {w['bound_ms']:.0f} ms"
        )
    if i := t.get("import"):
        lines.append(
            f"bulk import: {i['figure']:.0%} of the raw encoder's throughput (bound ≥ 80 %)"
        )
    if c := t.get("coldstart"):
        lines.append(
            f"cold start at {r['sizes'][-1]['n']:,}: {c['figure_s']:.1f} s to first "
            f"answer, {c['re_embedded']} re-embedded (bound ≤ 5 s, 0)"
        )
    if m := t.get("rss"):
        lines.append(
            f"RSS at {m['n']:,}: {m['figure_mb']:.0f} MB with the model loaded, "
            f"{m['without_model_mb']:.0f} MB before (bound ≤ 1536 MB)"
        )
    if x := t.get("million"):
        lines.append(
            f"1M vectors: {x['index']}, p95 {x['p95_ms']:.2f} ms, recall@10 "
            f"{x['recall_at_10']:.3f} (bound ≤ 50 ms, ≥ 0.95)"
        )
    if q := t.get("queue"):
        lines.append(
            f"the queue with {q['queued']} matches: page p95 {q['page_p95_ms']:.0f} ms, one "
            f"decision p95 {q['decision_p95_ms']:.0f} ms (bound ≤ {q['bound_ms']:.0f} ms each)"
        )
    keys = ["http_p95", "workers_http_p95", "import", "coldstart", "rss", "million", "queue"]
    return "\n".join(
        f"- {'met' if t[k]['met'] else '**missed**'}: {line}"
        for k, line in zip([k for k in keys if k in t], lines, strict=True)
    )
