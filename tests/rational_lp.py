"""An exact reference for stage 1: a plain simplex over fractions, and a fixed-seed corpus.

Written apart from `subsidy` (it imports nothing of it): the scenario is read as the plain data a
file holds, the rules are written down again from the spec, and the program is solved by a
textbook tableau simplex in `fractions.Fraction` with Bland's rule (no speed needed, no
tolerance anywhere). Amounts are whole fen and every bound is floored to whole fen, as `verify`
reads them; the rules form a network (two laminar families: fund ⊃ fund×enterprise ⊃ arc on one
side, the cost line on the other), so the optimum of this LP is reached in whole fen and *is* the
best weighted gap an allocation written in fen can have.

The corpus (`corpus()`): dense (a few fen, every fund pays every line: many ties), normal
(everyday amounts) and wide (one fen to the top of the promised range in one scenario), with
scopes, per-enterprise caps, shares of need, category weights 0 to 3 and fairness on and off.
"""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

WEIGHTS = {"resettlement": 3, "retiree_social_insurance": 3, "pooled_fund_repayment": 2, "bank_debt": 1,
           "dismantling": 1, "operating_loss": 0}
"""The default categories the corpus uses, with the weights the spec gives them."""


def maximise(c: list[Fraction], rows: list[list[Fraction]], b: list[Fraction]) -> Fraction:
    """max c·x subject to rows·x ≤ b, x ≥ 0: the optimum, or ArithmeticError("infeasible").

    Dense tableau, Bland's rule (smallest index enters, smallest basic index leaves among ties),
    which cannot cycle. Where some b < 0 (a commitment's least written as −Σ x ≤ −L) the origin
    is not feasible: phase 1 first (Chvátal's auxiliary variable x0 in every row with
    coefficient −1, maximise −x0, x0 pivoted in on the most negative b), then x0 leaves and the
    real objective is priced out on that basis. Unbounded programs do not occur here (every arc
    is in a need row)."""
    m, n = len(rows), len(c)
    # columns 0..n-1 structural, n..n+m-1 slacks, n+m the auxiliary x0; last column the right-hand side
    tab = [list(map(Fraction, row)) + [Fraction(int(i == k)) for k in range(m)] + [Fraction(-1)] + [Fraction(b[i])]
           for i, row in enumerate(rows)]
    basis = [n + i for i in range(m)]
    aux = n + m
    if any(Fraction(v) < 0 for v in b):
        cost = [Fraction(0)] * aux + [Fraction(-1), Fraction(0)]  # maximise −x0; cost[-1] = −objective
        start = min(range(m), key=lambda i: (tab[i][-1], i))
        cost = _pivot(tab, cost, basis, start, aux)
        cost = _simplex(tab, cost, basis, aux + 1)
        if cost[-1] != 0:
            raise ArithmeticError("infeasible")
        if aux in basis:  # basic at level 0: pivot it out on any other column of its row
            r = basis.index(aux)
            j = next(j for j in range(aux) if tab[r][j] != 0)
            cost = _pivot(tab, cost, basis, r, j)
    tab = [row[:aux] + row[aux + 1 :] for row in tab]  # x0 leaves (at 0)
    cost = [Fraction(v) for v in c] + [Fraction(0)] * m + [Fraction(0)]  # reduced profits; cost[-1] = −objective
    for i, j in enumerate(basis):
        if cost[j] != 0:
            f = cost[j]
            cost = [v - f * p for v, p in zip(cost, tab[i])]
    return -_simplex(tab, cost, basis, n + m)[-1]


def _pivot(tab: list[list[Fraction]], cost: list[Fraction], basis: list[int], r: int, enter: int) -> list[Fraction]:
    """Pivot column `enter` into the basis at row r (in place); the updated cost row."""
    pivot = tab[r][enter]
    tab[r] = [v / pivot for v in tab[r]]
    for i in range(len(tab)):
        if i != r and tab[i][enter] != 0:
            f = tab[i][enter]
            tab[i] = [v - f * p for v, p in zip(tab[i], tab[r])]
    f = cost[enter]
    basis[r] = enter
    return [v - f * p for v, p in zip(cost, tab[r])]


def _simplex(tab: list[list[Fraction]], cost: list[Fraction], basis: list[int], columns: int) -> list[Fraction]:
    """Bland's rule over the first `columns` columns from a feasible basis; the final cost row."""
    while True:
        enter = next((j for j in range(columns) if cost[j] > 0), None)
        if enter is None:
            return cost
        best = None
        for i in range(len(tab)):
            a = tab[i][enter]
            if a > 0:
                ratio = tab[i][-1] / a
                if best is None or ratio < best[0] or (ratio == best[0] and basis[i] < basis[best[1]]):
                    best = (ratio, i)
        if best is None:
            raise ArithmeticError("unbounded")
        cost = _pivot(tab, cost, basis, best[1], enter)


def fen(amount: str) -> int:
    return int(Decimal(amount) * 100)


def whole_step_weighted_gap(data: dict) -> Fraction:
    """The least weighted gap (scenario unit) of any allocation in whole fen that keeps every rule
    of the scenario `data` (the corpus' shape: no own funds, scopes by enterprise list only; and
    its commitments and minimum coverage, if any). ArithmeticError("infeasible") where no allocation keeps them."""
    weights = {c: Fraction(str(w)) for c, w in WEIGHTS.items()}
    weights.update({c: Fraction(str(v["weight"])) for c, v in data.get("categories", {}).items()})
    lines = [(e["id"], c, fen(a)) for e in data["enterprises"] for c, a in sorted(e["costs"].items()) if fen(a) > 0]
    arcs = []  # (fund index, line index)
    for f, fund in enumerate(data["funds"]):
        listed = fund.get("scope", {}).get("enterprises")
        for k, (e, c, _) in enumerate(lines):
            if c in fund["categories"] and (not listed or e in listed):
                arcs.append((f, k))
    rows, b = [], []

    def row(members, limit):
        rows.append([Fraction(int(a in members)) for a in range(len(arcs))])
        b.append(Fraction(limit))

    for f, fund in enumerate(data["funds"]):
        row({a for a, (g, _) in enumerate(arcs) if g == f}, fen(fund["budget"]))
        caps = fund.get("caps", {})
        if "per_enterprise" in caps:
            for e in sorted({lines[k][0] for g, k in arcs if g == f}):
                row({a for a, (g, k) in enumerate(arcs) if g == f and lines[k][0] == e}, fen(caps["per_enterprise"]))
        if caps.get("share_of_need") is not None:
            share = Fraction(Decimal(repr(caps["share_of_need"])))
            for a, (g, k) in enumerate(arcs):
                if g == f:
                    row({a}, (share * lines[k][2]).__floor__())  # floored to whole fen
    for k, (_, _, need) in enumerate(lines):
        row({a for a, (_, line) in enumerate(arcs) if line == k}, need)
    # the factor method: what fund f pays one region's enterprises ≤ the region's amount, plus
    # z_r ≥ 0 from the pool (share < 1: the budget less the regions' amounts), Σ_r z_r ≤ the pool
    pool_columns = []  # (region row, pool row): z_r is −1 in the first, +1 in the second
    for f, fund in enumerate(data["funds"]):
        if fund.get("distribution"):
            region_of, amounts = region_amounts(data, fund)
            first = len(rows)
            for r, limit in sorted(amounts.items()):
                row({a for a, (g, k) in enumerate(arcs) if g == f and region_of.get(lines[k][0]) == r}, limit)
            pool = fen(fund["budget"]) - sum(amounts.values())
            if pool > 0:
                row(set(), pool)
                pool_columns += [(i, len(rows) - 1) for i in range(first, len(rows) - 1)]
    # commitments: what fund f pays enterprise e (in category c, if given); a least L as −Σ x ≤ −L
    funds = {fund["id"]: f for f, fund in enumerate(data["funds"])}
    for c in data.get("commitments", []):
        members = {a for a, (g, k) in enumerate(arcs) if g == funds[c["fund"]] and lines[k][0] == c["enterprise"]
                   and c.get("category") in (None, lines[k][1])}
        least, most = (c["amount"], c["amount"]) if "amount" in c else (c.get("at_least"), c.get("at_most"))
        if least is not None:
            rows.append([Fraction(-int(a in members)) for a in range(len(arcs))])
            b.append(Fraction(-fen(str(least))))
        if most is not None:
            row(members, fen(str(most)))
    # minimum coverage: on each line of the category Σ x ≥ ⌈share × cost⌉ (no own funds here), as −Σ x ≤ −L
    for cat, share in data.get("policy", {}).get("minimum_coverage", {}).items():
        for k, (_, c, need) in enumerate(lines):
            least = -((-Fraction(Decimal(repr(share))) * need).__floor__())
            if c == cat and least > 0:
                rows.append([Fraction(-int(line == k)) for _, line in arcs])
                b.append(Fraction(-least))
    at_zero = sum((weights[c] * need for _, c, need in lines), Fraction(0))
    if not arcs and any(v < 0 for v in b):
        raise ArithmeticError("infeasible")  # a least on no arc at all
    for i, values in enumerate(rows):  # the pool's columns after the arcs' (no weight)
        values += [Fraction(-1 if i == region else 1 if i == pool else 0) for region, pool in pool_columns]
    best = maximise([weights[lines[k][1]] for _, k in arcs] + [Fraction(0)] * len(pool_columns), rows, b) if arcs else Fraction(0)
    return (at_zero - best) / 100


def region_amounts(data: dict, fund: dict) -> tuple[dict[str, str], dict[str, int]]:
    """(enterprise → region, region → amount in whole fen) of a fund's `distribution`, from the
    spec's words: Σ_k w_k·F_k(r)/Σ F_k of the budget, capacity × early-exit weight, workers,
    difficulty (1 unless `regions` gives it); floors, then the fen left one each to the largest
    remainders, ties to the region named first. Of a `share` below 1 only ⌊share × budget⌋ fen is
    split (the rest is the pool). Integer level only, scopes by enterprise list."""
    dist = fund["distribution"]
    listed = fund.get("scope", {}).get("enterprises")
    difficulty = {r["path"]: Fraction(str(r.get("difficulty", 1))) for r in data.get("regions", [])}
    early = {int(y): Fraction(str(w)) for y, w in dist.get("early_exit_weights", {}).items()}
    region_of, factors = {}, {}
    for e in data["enterprises"]:
        if listed and e["id"] not in listed:
            continue
        r = "/".join(e.get("region", "").split("/")[: int(dist.get("level", 1))])
        region_of[e["id"]] = r
        f = factors.setdefault(r, [Fraction(0), Fraction(0), difficulty.get(r, Fraction(1))])
        f[0] += Fraction(str(e.get("capacity", {}).get("amount", 0))) * early.get(e.get("exit_year"), Fraction(1))
        f[1] += e.get("workers", 0)
    w = [Fraction(str(dist["factors"].get(k, 0))) for k in ("capacity", "workers", "difficulty")]
    w = [x / sum(w) for x in w]  # each weight as its part of their sum
    sums = [sum(v[k] for v in factors.values()) for k in range(3)]
    budget = (fen(fund["budget"]) * Fraction(Decimal(str(dist.get("share", 1))))).__floor__()
    exact = {r: budget * sum((w[k] * v[k] / sums[k] for k in range(3) if w[k]), Fraction(0)) for r, v in factors.items()}
    amounts = {r: x.__floor__() for r, x in exact.items()}
    for r in sorted(exact, key=lambda r: (amounts[r] - exact[r], r))[: budget - sum(amounts.values())]:
        amounts[r] += 1
    return region_of, amounts


PROMISED_FEN = 10**12
"""The top of the range the corpus' wide scenarios reach: 10^10 万元 in fen (the tool's promise)."""


def _amount(rng: random.Random, kind: str) -> str:
    if kind == "dense":
        value = rng.randint(0, 12)
    elif kind == "normal":
        value = rng.choice([rng.randint(0, 10**5), rng.randint(0, 10**9), rng.randint(0, 10**7) * 100])
    else:  # wide: one fen to the top of the range, log-uniform
        value = rng.choice([1, 10, int(10 ** rng.uniform(0, 12)), PROMISED_FEN, rng.randint(0, 10**6)])
    return str(Decimal(value) / 100)


def scenario(seed: int, kind: str) -> dict:
    """One small scenario of the corpus, as a file's plain data."""
    rng = random.Random(f"{kind}-{seed}")
    cats = sorted(WEIGHTS) + ["custom_line"]
    n_ent = rng.randint(1, 4)
    ids = [f"e{i}" for i in range(n_ent)]
    enterprises = []
    for eid in ids:
        chosen = rng.sample(cats, rng.randint(1, 4))
        enterprises.append({"id": eid, "name": f"企业 {eid}", "region": "湖北/咸宁", "industry": "cement",
                            "costs": {c: _amount(rng, kind) for c in chosen}})
    funds = []
    for f in range(rng.randint(1, 3)):
        fund = {"id": f"f{f}", "name": f"资金 {f}", "budget": _amount(rng, kind),
                "categories": cats if kind == "dense" else rng.sample(cats, rng.randint(1, len(cats)))}
        if rng.random() < 0.3:
            fund["scope"] = {"enterprises": rng.sample(ids, rng.randint(1, n_ent))}
        caps = {}
        if rng.random() < 0.4:
            caps["per_enterprise"] = _amount(rng, kind)
        if rng.random() < 0.4:
            caps["share_of_need"] = rng.choice([0.0, 0.25, 0.5, 0.8, 1.0, rng.randint(0, 1000) / 1000])
        if caps:
            fund["caps"] = caps
        funds.append(fund)
    return {
        "name": f"corpus {kind} {seed}",
        "categories": {"custom_line": {"label_zh": "其他费用", "weight": rng.choice([0, 0.5, 1, 2.5])}},
        "enterprises": enterprises,
        "funds": funds,
        "policy": {"fairness": rng.random() < 0.5},
    }


def corpus(per_kind: int = 70) -> list[dict]:
    """per_kind scenarios of each kind (dense, normal, wide), fixed seeds."""
    return [scenario(seed, kind) for kind in ("dense", "normal", "wide") for seed in range(per_kind)]
