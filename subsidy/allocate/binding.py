"""Which rules bind: one reading, for every kind of rule, of the solve's final allocation.

`solve`'s list of binding rules (`Result.binding_rules`, 起约束作用的规则) and `explain`'s table
(its `binding`, `bound`, `used`, `left` columns) both read `rule_states`, so they are one set by
construction; before, the console read only the upper bounds of `Rules.membership` and left out
commitments, minimum coverage and 配套 match rows that explain listed.

A rule *binds* when the final allocation (whole fen, what allocations.csv holds) sits at its limit:
- a most, used ≥ bound: `budget[f]`; `cap_enterprise[f,e]` (per_capacity, per_enterprise and
  per_worker are its terms: the smallest sets it); `cap_share[f,e,c]`; `own_funds[e]` (under
  `free`); the factor method's `distribution[f,region]` (a pooled region counts only what the pool
  does not cover, `Rules.rule_use`) and `distribution_pool[f]`;
- `commitment[f,e(,c)]`: at its least (used ≤ at_least or amount) or at its most (used ≥ at_most
  or amount); its bound is the side it sits at (the least where it has no most);
- `coverage[e,c]` (policy.minimum_coverage), a least: own funds + public money ≤ ⌈share × cost⌉;
- `match[f,e]` (配套): f could not pay e one fen more without more co-funding,
  den·(matching funds' payment) < num·(f's payment + 1) for the ratio num/den; its bound is
  ⌈ratio × f's payment⌉.
Scopes, regions a fund does not reach and categories it does not list are not bounds: they remove
arcs, so no allocation sits at them; explain's reasons name them (`no_eligible_fund`,
`category_not_payable`). A line's need is not a rule of money either (a line paid in full holds
nothing back), so needs get no row.

`left` is each rule's room before it binds, never negative in an optimal allocation: bound − used
for a most, used − bound for a least and a match row. Measured on the shared 2-core machine (load 1.3-1.5), states and the
binding rules' names: xianan-commitments 0.74 ms (15 rules); national-2000 17.5 ms (14,437 rules,
5,242 binding); a generated 2,000 enterprises with commitments and coverage 19 ms (15,914 rules).
The rules are read as arrays, with a Python step per commitment (whether it has a least) and
per match row (its bound in Python integers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from subsidy.allocate.rules import Rules

KINDS = (*Rules.KINDS, "commitment", "coverage", "match")
"""A rule state's kind: `Rules.KINDS` (the upper bounds, needs among them but never a row here),
then the rules that ask for money and the match rows."""

BOUND, LEAST, MATCH = 0, 1, 2
"""Where a row's `index` points: a bound of `Rules.membership`, a row of `Rules.commit_arcs`
(commitments, then coverage), a match row (`Rules.match_rows`)."""


@dataclass(frozen=True)
class RuleStates:
    """Every rule of a solve, in one order (the upper bounds in the rules' order, needs left out;
    then commitments, coverage, match rows), as arrays: `kind` (index into KINDS), `source` and
    `index` (BOUND/LEAST/MATCH and the position there), `bound`, `used`, `left` in whole fen, and
    `binding`. Names are made only when asked for (`names`): at national size there are millions
    of bounds, and the console names only those that bind."""

    rules: Rules
    kind: np.ndarray
    source: np.ndarray
    index: np.ndarray
    bound: np.ndarray
    used: np.ndarray
    left: np.ndarray
    binding: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)

    def names(self, which: np.ndarray | None = None) -> list[str]:
        """The readable names of the rows `which` (all rows by default), in that order:
        `budget[central_reward]`, `commitment[central_reward,wenquan,resettlement]`,
        `coverage[hengyu_guihua,resettlement]`, `match[central_reward,wenquan]`…"""
        which = np.arange(len(self.kind)) if which is None else np.asarray(which, dtype=np.int64)
        out: list[str] = [""] * len(which)
        src, idx = self.source[which], self.index[which]
        at = np.flatnonzero(src == BOUND)
        for k, name in zip(at.tolist(), self.rules.bound_names(idx[at])):
            out[k] = name
        if (src == LEAST).any():
            least = self.rules.commitment_names()
            for k in np.flatnonzero(src == LEAST).tolist():
                out[k] = least[int(idx[k])]
        if (src == MATCH).any():
            match = self.rules.match_names()
            for k in np.flatnonzero(src == MATCH).tolist():
                out[k] = match[int(idx[k])]
        return out

    def binding_names(self) -> list[str]:
        """The rules that bind, in the rows' order: what `solve` prints and `explain` marks."""
        return self.names(np.flatnonzero(self.binding))

    def kind_names(self, which: np.ndarray | None = None) -> list[str]:
        kinds = self.kind if which is None else self.kind[which]
        return [KINDS[k] for k in kinds.tolist()]


def rule_states(rules: Rules, fen: np.ndarray) -> RuleStates:
    """Every rule's bound, use, room and whether it binds under the whole-fen allocation `fen`
    (per arc, the solve's `Allocation.fen`); module docstring for each kind."""
    fen = np.asarray(fen, dtype=np.int64)
    parts = [_upper_bounds(rules, fen), _leasts(rules, fen), _matches(rules, fen)]
    return RuleStates(rules, *(np.concatenate([p[k] for p in parts]) for k in range(7)))


def _upper_bounds(rules: Rules, fen: np.ndarray) -> tuple[np.ndarray, ...]:
    kind = rules.bound_order[0]
    limits = rules.membership()[2]
    used = rules.rule_use(fen)
    at = np.flatnonzero(kind != KINDS.index("need"))
    bound, use = limits[at], used[at]
    return kind[at], np.full(len(at), BOUND), at, bound, use, bound - use, use >= bound


def _leasts(rules: Rules, fen: np.ndarray) -> tuple[np.ndarray, ...]:
    """Commitments (a least, a most or both; `amount` is both) then coverage (a least on a line's
    public money, shown with the line's own funds added to bound and use)."""
    n = len(rules.commit_arcs)
    use = np.zeros(n, dtype=np.int64)
    if n:
        sizes = np.array([len(a) for a in rules.commit_arcs], dtype=np.int64)
        np.add.at(use, np.repeat(np.arange(n), sizes), fen[np.concatenate(rules.commit_arcs).astype(np.int64)])
    commitments = rules.scenario.commitments
    m = n - len(rules.coverage_line)  # commitments first, as `Rules.commitment_names`
    low, high = rules.commit_lower.astype(np.int64), rules.commit_upper.astype(np.int64)
    has_low = np.array([c.lower is not None for c in commitments] + [True] * (n - m), dtype=bool)
    has_high = high >= 0
    at_low = has_low & (use <= low)
    at_high = has_high & (use >= high)
    # the side shown: the least where the allocation sits at it or there is no most, else the most
    on_low = at_low | ~has_high
    bound = np.where(on_low, low, high)
    given = np.zeros(n, dtype=np.int64)
    given[m:] = rules.lines.applied[rules.coverage_line]  # coverage counts the line's own funds too
    bound, use = bound + given, use + given
    kind = np.concatenate([np.full(m, KINDS.index("commitment")), np.full(n - m, KINDS.index("coverage"))]).astype(np.int64)
    return kind, np.full(n, LEAST), np.arange(n), bound, use, np.where(on_low, use - bound, bound - use), at_low | at_high


def _matches(rules: Rules, fen: np.ndarray) -> tuple[np.ndarray, ...]:
    """配套 rows: den·got ≥ num·paid; bound ⌈num·paid / den⌉, in Python integers (num·paid may pass 2^63)."""
    rows = rules.match_rows()
    bound, got, binding = [], [], []
    for by, den, paid, num in rows:
        g, p = int(fen[by].sum()), int(fen[paid].sum())
        bound.append(-(-num * p // den))
        got.append(g)
        binding.append(den * g < num * (p + 1))
    n = len(rows)
    bound_a, got_a = np.array(bound, dtype=np.int64), np.array(got, dtype=np.int64)
    return (np.full(n, KINDS.index("match"), dtype=np.int64), np.full(n, MATCH), np.arange(n),
            bound_a, got_a, got_a - bound_a, np.array(binding, dtype=bool))
