#!/usr/bin/env python3
"""Runner for the OpenFisca peer of the Zezhou policy.

    run.py --data DIR --year Y [--out FILE] [--timings]

Reads a FACTS.md CSV folder (enterprises.csv, annual.csv, recognitions.csv, projects.csv),
builds the peer's TaxBenefitSystem (zezhou_system.py), one simulation over every year of the
data, computes each rule's status and amount for year Y, and prints the FACTS.md result JSON
(explanations empty). Input setting is vectorised (pyarrow CSV reader + numpy scatter).

This is a benchmark harness, not a validator: it assumes a dataset that ``lianzhang`` accepts,
and checks only what it needs (known enterprises, unique keys, known codes, money in fen).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zezhou_system  # noqa: E402  (sets the pycache prefix before the peer is imported)

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402

POLICY_ID = "zezhou-2022-84"

MONEY = pa.decimal128(24, 2)  # read exactly; more than two decimals is an error (fen model)
STR, INT, BOOL, DATE = pa.string(), pa.int32(), pa.bool_(), pa.date32()

# sheet -> {english column: (chinese header, arrow type)}
SCHEMA = {
    "enterprises": {
        "uscc": ("统一社会信用代码", STR), "name": ("企业名称", STR), "chain": ("产业链", STR),
        "stage": ("环节", STR), "town": ("乡镇", STR), "industry_code": ("行业代码", STR),
        "strategic_emerging": ("战略性新兴产业", BOOL), "established": ("成立日期", DATE),
        "chain_joined_year": ("入链年份", INT),
    },
    "annual": {
        "uscc": ("统一社会信用代码", STR), "year": ("年度", INT), "revenue": ("营业收入", MONEY),
        "above_scale": ("规上企业", BOOL), "chain_master": ("链主企业", BOOL),
        "local_procurement": ("本地配套采购额", MONEY), "total_procurement": ("配套采购总额", MONEY),
        "rd_expense": ("研发投入", MONEY),
    },
    "recognitions": {
        "uscc": ("统一社会信用代码", STR), "kind": ("认定类型", STR), "year": ("认定年度", INT),
    },
    "projects": {
        "project_id": ("项目编号", STR), "uscc": ("统一社会信用代码", STR), "name": ("项目名称", STR),
        "category": ("项目类别", STR), "fixed_asset_investment": ("固定资产投资", MONEY),
        "start_year": ("开工年度", INT), "completed_year": ("竣工投产年度", INT),
    },
}
SHEET_CHINESE = {"enterprises": "企业", "annual": "年度数据", "recognitions": "认定", "projects": "项目"}
TRUE_VALUES = ["true", "True", "TRUE", "1", "是", "yes", "Yes", "YES"]
FALSE_VALUES = ["false", "False", "FALSE", "0", "否", "no", "No", "NO"]
ANNUAL_BOOL_FACTS = ["above_scale", "chain_master"]
ANNUAL_MONEY_FACTS = ["revenue", "local_procurement", "total_procurement", "rd_expense"]
STATUS_NAMES = {1: "award", 2: "needs_review", 3: "referral"}


class DataError(Exception):
    pass


# ------------------------------------------------------------------------------ reading
def read_sheet(folder: str, sheet: str) -> pa.Table:
    """One CSV sheet as an Arrow table with English column names and FACTS.md types. Empty
    cells are nulls (unknown). A missing recognitions/projects file is an empty sheet."""
    spec = SCHEMA[sheet]
    path = os.path.join(folder, sheet + ".csv")
    if not os.path.exists(path):  # Chinese sheet names (FACTS.md section titles)
        path = os.path.join(folder, SHEET_CHINESE[sheet] + ".csv")
    if not os.path.exists(path):
        if sheet in ("recognitions", "projects"):
            return pa.table({c: pa.array([], type=t) for c, (_, t) in spec.items()})
        raise DataError(f"{os.path.join(folder, sheet + '.csv')}: missing")
    with open(path, "r", encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(io.StringIO(f.readline())), [])
    by_chinese = {zh: en for en, (zh, _) in spec.items()}
    names = []
    for h in header:
        h = h.strip()
        en = h if h in spec else by_chinese.get(h)
        if en is None:
            raise DataError(f"{sheet}:1:{h}: unknown column")
        names.append(en)
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
        convert_options=pacsv.ConvertOptions(
            column_types={n: spec[n][1] for n in names},
            true_values=TRUE_VALUES, false_values=FALSE_VALUES,
            null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
        ),
    )
    # columns absent from the file are all-unknown
    for c, (_, t) in spec.items():
        if c not in table.column_names:
            table = table.append_column(c, pa.nulls(table.num_rows, type=t))
    return table


def np_col(table: pa.Table, name: str, fill):
    """(values, valid) numpy arrays of a column; nulls replaced by ``fill``."""
    col = table.column(name).combine_chunks() if table.num_rows else pa.array([], table.schema.field(name).type)
    valid = col.is_valid().to_numpy(zero_copy_only=False)
    values = pc.fill_null(col, pa.scalar(fill, col.type)).to_numpy(zero_copy_only=False)
    return values, valid


def money_fen(table: pa.Table, name: str):
    """(fen int64, known bool) of a decimal money column, exactly (decimal128 unscaled value)."""
    col = table.column(name).combine_chunks() if table.num_rows else pa.array([], MONEY)
    valid = col.is_valid().to_numpy(zero_copy_only=False)
    filled = pc.fill_null(col, pa.scalar(0, col.type))
    words = np.frombuffer(filled.buffers()[1], dtype=np.int64)[2 * filled.offset: 2 * (filled.offset + len(filled))]
    words = words.reshape(-1, 2)
    lo, hi = words[:, 0], words[:, 1]
    if np.any(hi != (lo >> 63)):
        raise DataError(f"{name}: amount too large for int64 fen")
    if np.any(lo < 0):
        raise DataError(f"{name}: money cannot be negative")
    return lo.copy(), valid


def index_of(keys: pa.Array, value_set: pa.Array, sheet: str, what="enterprise"):
    idx = pc.index_in(keys, value_set=value_set)
    if idx.null_count:
        bad = pc.filter(keys, idx.is_null()).to_pylist()[:5]
        raise DataError(f"{sheet}: unknown {what} {bad}")
    return idx.to_numpy(zero_copy_only=False).astype(np.int64)


def code_index(values: pa.Array, codes: dict, sheet: str, column: str):
    """Codes or Chinese names -> index in ``codes`` (code -> chinese); null stays -1."""
    names = list(codes)
    lookup = pa.array(names + list(codes.values()))
    idx = pc.index_in(values, value_set=lookup)
    bad = pc.and_(values.is_valid(), idx.is_null())
    if pc.any(bad).as_py():
        raise DataError(f"{sheet}:{column}: unknown codes {sorted(set(pc.filter(values, bad).to_pylist()))[:5]}")
    out = pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.where(out >= len(names), out - len(names), out)


# ------------------------------------------------------------------------------ the run
def run(data_dir: str, year: int, timings=None):
    t = timings if timings is not None else {}
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        t[name] = t.get(name, 0.0) + now - clock
        clock = now

    ent = read_sheet(data_dir, "enterprises")
    ann = read_sheet(data_dir, "annual")
    rec = read_sheet(data_dir, "recognitions")
    prj = read_sheet(data_dir, "projects")
    lap("read_csv")

    tbs = zezhou_system.build_tax_benefit_system()
    facts = sys.modules["openfisca_zezhou.variables.facts"]
    enums = sys.modules["openfisca_zezhou.enums"]
    lap("build_system")

    # ---- enterprises
    uscc = ent.column("uscc").combine_chunks() if ent.num_rows else pa.array([], STR)
    if uscc.null_count:
        raise DataError("enterprises:uscc: empty key")
    n = len(uscc)
    if len(pc.unique(uscc)) != n:
        raise DataError("enterprises:uscc: duplicate key")
    # ---- projects
    pid = prj.column("project_id").combine_chunks() if prj.num_rows else pa.array([], STR)
    if pid.null_count or len(pc.unique(pid)) != len(pid):
        raise DataError("projects:project_id: empty or duplicate key")
    p_ent = index_of(prj.column("uscc").combine_chunks() if prj.num_rows else pa.array([], STR), uscc, "projects")

    sim = zezhou_system.new_simulation(tbs, uscc.to_numpy(zero_copy_only=False),
                                       pid.to_numpy(zero_copy_only=False), p_ent)
    ETERNITY = "eternity"

    strategic, strategic_known = np_col(ent, "strategic_emerging", False)
    sim.set_input("strategic_emerging", ETERNITY, strategic.astype(bool))
    sim.set_input("strategic_emerging_known", ETERNITY, strategic_known)
    est_col = ent.column("established").combine_chunks() if n else pa.array([], DATE)
    est_known = est_col.is_valid().to_numpy(zero_copy_only=False)
    est = pc.fill_null(est_col, pa.scalar(0, DATE)).cast(pa.int32()).to_numpy(zero_copy_only=False)
    sim.set_input("established", ETERNITY, est.astype("datetime64[D]"))
    sim.set_input("established_known", ETERNITY, est_known)

    # ---- annual rows, one simulation period per year of the contiguous range of the data
    a_ent = index_of(ann.column("uscc").combine_chunks() if ann.num_rows else pa.array([], STR), uscc, "annual")
    a_year, a_year_ok = np_col(ann, "year", 0)
    if not a_year_ok.all():
        raise DataError("annual:year: empty year")
    a_year = a_year.astype(np.int64)
    if len(a_year):
        key = np.sort(a_ent * 10000 + a_year)
        if (key[1:] == key[:-1]).any():
            raise DataError("annual: duplicate (uscc, year)")
    bool_facts = {f: np_col(ann, f, False) for f in ANNUAL_BOOL_FACTS}
    money_facts = {f: money_fen(ann, f) for f in ANNUAL_MONEY_FACTS}
    order = np.argsort(a_year, kind="stable")
    sorted_years = a_year[order]
    # Every year of the range is set (no row = has_annual_row false), so that the peer's
    # history loops, which walk the periods a holder knows, see the gap years too.
    years = range(int(a_year.min()), int(a_year.max()) + 1) if len(a_year) else range(0)
    for y in years:
        lo, hi = np.searchsorted(sorted_years, [y, y + 1])
        rows = order[lo:hi]
        who = a_ent[rows]
        has_row = np.zeros(n, bool)
        has_row[who] = True
        sim.set_input("has_annual_row", str(y), has_row)
        for f, (values, valid) in bool_facts.items():
            v = np.zeros(n, bool)
            v[who] = values[rows].astype(bool)
            k = np.zeros(n, bool)
            k[who] = valid[rows]
            sim.set_input(f, str(y), v)
            sim.set_input(f + "_known", str(y), k)
        for f, (fen, valid) in money_facts.items():
            v = np.zeros(n, np.int64)
            v[who] = fen[rows]
            k = np.zeros(n, bool)
            k[who] = valid[rows]
            sim.set_input(f, str(y), v)
            sim.set_input(f + "_known", str(y), k)

    # ---- recognitions: recognized_<kind> per year in which the data has recognitions
    kinds = facts.RECOGNITION_KINDS
    if rec.num_rows:
        r_ent = index_of(rec.column("uscc").combine_chunks(), uscc, "recognitions")
        r_kind = code_index(rec.column("kind").combine_chunks(), kinds, "recognitions", "kind")
        if (r_kind < 0).any():
            raise DataError("recognitions:kind: empty")
        r_year, r_year_ok = np_col(rec, "year", 0)
        if not r_year_ok.all():
            raise DataError("recognitions:year: empty year")
        r_year = r_year.astype(np.int64)
        kind_names = list(kinds)
        rec_years = range(int(r_year.min()), int(r_year.max()) + 1)
        for k_i, kind in enumerate(kind_names):
            sel_k = r_kind == k_i
            for y in rec_years:
                v = np.zeros(n, bool)
                v[r_ent[sel_k & (r_year == y)]] = True
                sim.set_input(f"recognized_{kind}", str(y), v)

    # ---- projects
    if len(pid):
        categories = {c.name: c.value for c in enums.ProjectCategory}
        cat = code_index(prj.column("category").combine_chunks(), categories, "projects", "category")
        n_unknown_category = int((cat < 0).sum())
        if n_unknown_category:
            print(f"warning: {n_unknown_category} project(s) with an empty category; the peer has no "
                  f"'unknown' category, they are read as 'other'", file=sys.stderr)
        cat = np.where(cat < 0, list(categories).index("other"), cat)
        # ProjectCategory codes are the declaration indexes
        enum_index = np.array([enums.ProjectCategory[c].index for c in categories], np.int16)
        sim.set_input("project_category", ETERNITY, enum_index[cat])
        fen, known = money_fen(prj, "fixed_asset_investment")
        sim.set_input("fixed_asset_investment", ETERNITY, fen)
        sim.set_input("fixed_asset_investment_known", ETERNITY, known)
        done, _ = np_col(prj, "completed_year", 0)
        sim.set_input("completed_year", ETERNITY, done.astype(np.int32))
    lap("set_inputs")

    # ---- compute year Y
    period = str(year)
    found = []  # (rule, entity index array, project index array or None, status, amount)
    for rule in zezhou_system.RULES:
        status = np.asarray(sim.calculate(rule, period)).astype(np.int8)
        amount_var = rule + "_amount"
        if amount_var in tbs.variables:
            amount = np.asarray(sim.calculate(amount_var, period)).astype(np.int64)
        else:
            amount = np.zeros(len(status), np.int64)  # rd_referral: a referral has no amount
        hit = np.nonzero(status != 0)[0]
        if rule in zezhou_system.PROJECT_RULES:
            found.append((rule, p_ent[hit], hit, status[hit], amount[hit]))
        else:
            found.append((rule, hit, None, status[hit], amount[hit]))
    lap("compute")

    # ---- outcomes, sorted by uscc, rule, project_id
    rule_rank = {r: i for i, r in enumerate(sorted(zezhou_system.RULES))}
    e_idx = np.concatenate([f[1] for f in found]).astype(np.int64)
    r_idx = np.concatenate([np.full(len(f[1]), rule_rank[f[0]], np.int64) for f in found])
    p_idx = np.concatenate([f[2] if f[2] is not None else np.full(len(f[1]), -1) for f in found]).astype(np.int64)
    st = np.concatenate([f[3] for f in found])
    am = np.concatenate([f[4] for f in found])
    uscc_rank = pc.rank(uscc, sort_keys="ascending", tiebreaker="first").to_numpy().astype(np.int64) if n else np.zeros(0, np.int64)
    pid_rank = pc.rank(pid, sort_keys="ascending", tiebreaker="first").to_numpy().astype(np.int64) if len(pid) else np.zeros(0, np.int64)
    p_sort = np.where(p_idx >= 0, pid_rank[np.maximum(p_idx, 0)] if len(pid) else 0, -1)
    order = np.lexsort((p_sort, r_idx, uscc_rank[e_idx] if n else e_idx))
    e_idx, r_idx, p_idx, st, am = e_idx[order], r_idx[order], p_idx[order], st[order], am[order]

    rules_sorted = sorted(zezhou_system.RULES)
    names = ent.column("name").combine_chunks() if n else pa.array([], STR)
    dumps = json.dumps
    # JSON-escaped uscc and name of just the enterprises (and ids of the projects) reported
    who = np.unique(e_idx)
    slot = np.zeros(n, np.int64)
    slot[who] = np.arange(len(who))
    esc_uscc = [dumps(u, ensure_ascii=False) for u in uscc.take(pa.array(who)).to_pylist()]
    esc_name = [dumps(m or "", ensure_ascii=False) for m in names.take(pa.array(who)).to_pylist()]
    projects_hit = p_idx[p_idx >= 0]
    esc_pid = dict(zip(projects_hit.tolist(),
                       (dumps(x, ensure_ascii=False) for x in pid.take(pa.array(projects_hit)).to_pylist())))
    pieces = []
    total = 0
    for e, r, p, s, a in zip(slot[e_idx].tolist(), r_idx.tolist(), p_idx.tolist(), st.tolist(), am.tolist()):
        rule = rules_sorted[r]
        if s == 1:
            total += a
            amount = f'"{a // 100}.{a % 100:02d}"'
        else:
            amount = "null"
        project = esc_pid[p] if p >= 0 else "null"
        pieces.append(
            f'{{"uscc":{esc_uscc[e]},"enterprise":{esc_name[e]},"rule":"{rule}",'
            f'"clause":"{zezhou_system.RULES[rule]}","status":"{STATUS_NAMES[s]}","amount":{amount},'
            f'"project_id":{project},"explanation":""}}')
    text = (f'{{"policy":"{POLICY_ID}","year":{year},"outcomes":[\n' + ",\n".join(pieces)
            + f'\n],"total":"{total // 100}.{total % 100:02d}"}}\n')
    lap("outcomes")
    t["enterprises"], t["projects"], t["outcomes_count"] = n, len(pid), len(pieces)
    return text


def main(argv=None):
    ap = argparse.ArgumentParser(description="OpenFisca peer runner (Zezhou policy), FACTS.md JSON out")
    ap.add_argument("--data", required=True, help="FACTS.md CSV folder")
    ap.add_argument("--year", required=True, type=int, help="assessment year")
    ap.add_argument("--out", help="write the JSON here instead of stdout")
    ap.add_argument("--timings", action="store_true", help="print phase timings to stderr")
    args = ap.parse_args(argv)
    timings = {}
    start = time.perf_counter()
    try:
        text = run(args.data, args.year, timings)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except pa.ArrowInvalid as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    if args.timings:
        timings["total_s"] = time.perf_counter() - start
        print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in timings.items()}),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
