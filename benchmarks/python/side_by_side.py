"""The side-by-side table of the compare-*.sh scripts: Concur's and CPython's JSON lines, one markdown row per figure.

Each input line is {"name", "impl": "concur"|"cpython", "value", "unit"[, "min", "max"]}: a median with its spread.
Usage: python3 side_by_side.py concur.jsonl cpython.jsonl   (or import it: load(paths), table(rows, order))
"""
import json
import sys


def load(paths):
    """Reads every line of every file; returns ({name: {impl: row}}, names in first-seen order)."""
    rows, order = {}, []
    for path in paths:
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                if r["name"] not in rows:
                    rows[r["name"]] = {}
                    order.append(r["name"])
                rows[r["name"]][r["impl"]] = r
    return rows, order


def cell(r):
    if r is None:
        return ""
    spread = f" ({r['min']:,}-{r['max']:,})" if "min" in r else ""
    return f"{r['value']:,}{spread} {r['unit']}"


def table(rows, order):
    """Prints the markdown table: the figure, Concur's cell, CPython's cell and their ratio."""
    print("| figure | Concur | CPython | Concur / CPython |")
    print("|---|---|---|---|")
    for name in order:
        c, p = rows[name].get("concur"), rows[name].get("cpython")
        ratio = f"{c['value'] / p['value']:.2f}x" if c and p and p["value"] else ""
        print(f"| {name} | {cell(c)} | {cell(p)} | {ratio} |")


if __name__ == "__main__":
    table(*load(sys.argv[1:]))
