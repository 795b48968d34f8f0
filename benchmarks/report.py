#!/usr/bin/env python3
"""Render a results JSON of ``run.py`` as Markdown tables, one section per data size.

Why a separate step: the run takes minutes and its JSON keeps every sample; the tables are
a view of it that can be regenerated (and restyled) without measuring again.

Usage::

    python benchmarks/report.py benchmarks/results/run.json > section.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

BASELINES = ("pyoxigraph-memory", "oxigraph-server")
"""Ratios are given against the engine's own limit and against the same engine over HTTP."""


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_latency(value: float | None) -> str:
    """A latency with its unit, for cells outside the tables whose header says "ms"."""
    text = fmt_ms(value)
    return text if text.endswith(" s") or text == "—" else f"{text} ms"


def fmt_int(value: int | float) -> str:
    return f"{int(value):,}".replace(",", " ")


def fmt_bytes(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> str:
    align = align or ["---"] + ["--:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def engines_of(size: dict[str, Any]) -> list[str]:
    return [name for name, info in size["engines"].items() if info.get("status") == "ok"]


def latency_cell(result: dict[str, Any] | None, repeat: int) -> str:
    if not result:
        return "—"
    if result.get("skipped"):
        return "skipped¹"
    if not result.get("n"):
        return f"failed ({result.get('errors', 0)} errors)"
    cell = f"{fmt_ms(result['median_ms'])} / {fmt_ms(result['p95_ms'])}"
    if result.get("warmup_only"):
        cell += f" (n={result['n']}, warm-up)"
    elif result["n"] < repeat:
        cell += f" (n={result['n']})"
    if result.get("errors"):
        cell += f" ⚠{result['errors']} err"
    return cell


def ratio_cell(result: dict[str, Any] | None, base: dict[str, Any] | None) -> str:
    if not result or not base or not result.get("n") or not base.get("n"):
        return "—"
    if not base["median_ms"]:
        return "—"
    ratio = result["median_ms"] / base["median_ms"]
    if ratio < 0.01:
        return "<0.01×"
    if ratio < 0.1:
        return f"{ratio:.2f}×"
    return f"{ratio:.1f}×" if ratio < 100 else f"{ratio:.0f}×"


def section(report: dict[str, Any], size: dict[str, Any]) -> str:
    repeat = int(report["options"]["repeat"])
    counts = size.get("data_counts", {})
    head = (
        f"### {fmt_int(size['size'])} quads ({fmt_int(size['quads'])} generated, "
        f"{fmt_bytes(size['bytes'])} of N-Quads, {fmt_int(counts.get('agreements', 0))} "
        f"agreements, {fmt_int(counts.get('articles', 0))} articles)"
    )
    out = [head, ""]

    rows = []
    for name, info in size["engines"].items():
        if info.get("status") == "ok":
            visible = info.get("quads_visible")
            check = "" if visible == size["quads"] else " ⚠"
            rows.append(
                [
                    name,
                    info.get("transport", ""),
                    f"{info['load_seconds']:.2f} s ({info.get('load_method', '')})",
                    (fmt_int(visible) if visible is not None else "?") + check,
                ]
            )
        else:
            rows.append([name, "", "skipped: " + info.get("reason", "").splitlines()[0], ""])
    out += [
        "Engines and load:",
        "",
        table(["engine", "transport", "load", "quads visible"], rows, ["---", "---", "---", "--:"]),
        "",
    ]

    names = engines_of(size)
    rows = []
    for query, entry in size["queries"].items():
        rows.append([f"`{query}`"] + [latency_cell(entry["engines"].get(n), repeat) for n in names])
    out += [
        f"Latency, median / p95 in ms ({repeat} timed requests after "
        f"{report['options']['warmup']} warm-up, one client, a different parameter per request):",
        "",
        table(["query", *names], rows),
        "",
    ]
    if any(
        (r or {}).get("skipped") for e in size["queries"].values() for r in e["engines"].values()
    ):
        out += [
            "¹ skipped: predicted from the previous size to exceed --max-request-seconds "
            "per request.",
            "",
        ]
        for query, entry in size["queries"].items():
            for name, result in entry["engines"].items():
                if result.get("skipped"):
                    out.append(f"- `{query}` on {name}: {result['skipped']}")
        out.append("")

    bases = [b for b in BASELINES if b in names]
    if bases:
        rows = []
        for query, entry in size["queries"].items():
            row = [f"`{query}`"]
            for name in names:
                row.append(
                    " / ".join(
                        ratio_cell(entry["engines"].get(name), entry["engines"].get(b))
                        for b in bases
                    )
                )
            rows.append(row)
        out += [
            "Median relative to " + " / ".join(bases) + " (lower is faster):",
            "",
            table(["query", *names], rows),
            "",
        ]

    if size.get("throughput"):
        rows = []
        for query, by_engine in size["throughput"].items():
            row = [f"`{query}`"]
            for name in names:
                got = by_engine.get(name)
                if not got:
                    row.append("—")
                    continue
                cell = f"{fmt_int(got['rps'])} ({fmt_latency(got['median_ms'])})"
                if got["errors"]:
                    cell += f" ⚠{got['errors']} err"
                row.append(cell)
            rows.append(row)
        clients = report["options"]["concurrency"]
        seconds = report["options"]["throughput_seconds"]
        out += [
            f"Throughput with {clients} concurrent clients for {seconds:g} s: requests per "
            "second (median latency under load):",
            "",
            table(["query", *names], rows),
            "",
        ]

    rows = []
    problems = []
    for query, entry in size["queries"].items():
        verdict = entry.get("verdict") or {}
        totals = [
            str(entry["engines"].get(n, {}).get("rows_total", "—"))
            if entry["engines"].get(n, {}).get("n")
            else "—"
            for n in names
        ]
        bad_rows = verdict.get("row_mismatch_count", 0)
        bad_content = verdict.get("content_mismatch_count", 0)
        if not verdict.get("compared"):
            state = "not compared"
        elif bad_rows:
            state = f"**{bad_rows} row-count mismatch{'es' if bad_rows > 1 else ''}**"
        elif bad_content:
            state = f"same counts, {bad_content} with different values"
        else:
            state = "same rows"
        rows.append([f"`{query}`", str(verdict.get("compared", 0)), *totals, state])
        for mismatch in verdict.get("row_mismatches", [])[:3]:
            problems.append(f"- `{query}` request {mismatch['i']} {mismatch['params']}: "
                            f"{mismatch['rows']}")  # fmt: skip
        for mismatch in verdict.get("content_mismatches", [])[:3]:
            problems.append(f"- `{query}` request {mismatch['i']} {mismatch['params']}: "
                            "same row count, different values")  # fmt: skip
    out += [
        "Answers: rows summed over the requests every engine answered, and whether each "
        "request got the same rows (count, then values) from every engine:",
        "",
        table(
            ["query", "requests", *names, "verdict"],
            rows,
            ["---", "--:", *["--:"] * len(names), "---"],
        ),
        "",
    ]
    if problems:
        out += ["Mismatches (first few):", "", *problems, ""]
    return "\n".join(out)


def render(report: dict[str, Any]) -> str:
    parts = [section(report, size) for size in report["sizes"] if size.get("engines")]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="JSON written by run.py")
    args = parser.parse_args(argv)
    report = json.loads(args.results.read_text())
    sys.stdout.write(render(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
