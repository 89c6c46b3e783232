#!/usr/bin/env python3
"""Compare two FACTS.md result files (e.g. lianzhang's and the OpenFisca peer's).

    compare.py A.json B.json [--limit 50]

Outcomes are keyed by (uscc, rule, project_id) and compared on (status, amount); explanations,
names, clauses and order are ignored. Prints match counts per rule and overall, then the
differences (the first --limit, default 50) grouped by rule. Exit 0 if identical, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from decimal import Decimal


def load(path):
    with open(path, encoding="utf-8-sig") as f:
        doc = json.load(f)
    outcomes = {}
    dupes = 0
    for o in doc.get("outcomes", []):
        key = (o["uscc"], o["rule"], o.get("project_id"))
        amount = o.get("amount")
        value = (o["status"], None if amount is None else Decimal(str(amount)))
        if key in outcomes:
            dupes += 1
        outcomes[key] = value
    return doc, outcomes, dupes


def fmt(value):
    if value is None:
        return "(no outcome)"
    status, amount = value
    return status if amount is None else f"{status} {amount:.2f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--limit", type=int, default=50, help="differences listed (default 50)")
    args = ap.parse_args(argv)
    doc_a, a, dupes_a = load(args.a)
    doc_b, b, dupes_b = load(args.b)

    problems = []
    if doc_a.get("year") != doc_b.get("year"):
        problems.append(f"year differs: {doc_a.get('year')} vs {doc_b.get('year')}")
    if doc_a.get("policy") != doc_b.get("policy"):
        problems.append(f"policy differs: {doc_a.get('policy')} vs {doc_b.get('policy')}")
    for name, dupes in ((args.a, dupes_a), (args.b, dupes_b)):
        if dupes:
            problems.append(f"{name}: {dupes} duplicate (uscc, rule, project_id) keys")

    keys = set(a) | set(b)
    per_rule = defaultdict(Counter)
    diffs = defaultdict(list)
    for key in keys:
        va, vb = a.get(key), b.get(key)
        rule = key[1]
        if va == vb:
            per_rule[rule]["match"] += 1
        else:
            kind = "only_a" if vb is None else "only_b" if va is None else "differ"
            per_rule[rule][kind] += 1
            diffs[rule].append((key, va, vb))

    total_a = Decimal(str(doc_a.get("total", "0")))
    total_b = Decimal(str(doc_b.get("total", "0")))
    n_match = sum(c["match"] for c in per_rule.values())
    n_diff = sum(len(d) for d in diffs.values())
    print(f"A: {args.a}  ({len(a)} outcomes, total {total_a:.2f})")
    print(f"B: {args.b}  ({len(b)} outcomes, total {total_b:.2f})")
    print(f"{'rule':32} {'match':>8} {'differ':>8} {'only A':>8} {'only B':>8}")
    for rule in sorted(per_rule):
        c = per_rule[rule]
        print(f"{rule:32} {c['match']:8} {c['differ']:8} {c['only_a']:8} {c['only_b']:8}")
    print(f"{'all':32} {n_match:8} {sum(c['differ'] for c in per_rule.values()):8} "
          f"{sum(c['only_a'] for c in per_rule.values()):8} {sum(c['only_b'] for c in per_rule.values()):8}")
    if total_a != total_b:
        problems.append(f"total differs: {total_a:.2f} vs {total_b:.2f}")
    for p in problems:
        print("!", p)

    if n_diff:
        print(f"\ndifferences ({min(n_diff, args.limit)} of {n_diff} listed), A -> B:")
        shown = 0
        for rule in sorted(diffs):
            if shown >= args.limit:
                break
            print(f"[{rule}]")
            for key, va, vb in sorted(diffs[rule], key=lambda d: (d[0][0], d[0][2] or "")):
                if shown >= args.limit:
                    break
                project = f" project {key[2]}" if key[2] is not None else ""
                print(f"  {key[0]}{project}: {fmt(va)} -> {fmt(vb)}")
                shown += 1
    identical = n_diff == 0 and not problems
    print("\nidentical" if identical else f"\n{n_diff} difference(s)")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
