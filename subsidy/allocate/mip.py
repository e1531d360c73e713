"""The stages as whole-fen MIPs, for scenarios with 配套 matching (`funds[].match`).

Why. A match row, den·Σ x(matching funds → e) ≥ num·Σ x(this fund → e) with the ratio num/den
exact as written, is not a network row: it mixes two arc families with different coefficients,
so the LP's vertices are no longer whole fen. Central 100 fen wanted, the matching fund has 1
fen, ratio 0.3: the LP pays central 3.33 fen; the best whole-fen answer is 3 (10·1 ≥ 3·3, and
10·1 < 3·4). Rounding the LP afterwards would not be optimal among whole-fen allocations in
general, nor keep every stage's value. Decision (issue 13): the allocation stays exact in WHOLE
FEN and optimal among whole-fen allocations, so with any match row every stage is a MIP in
integer fen (HiGHS through PuLP by default, or CBC), on the LP's own model (`lp.PulpBackend`)
with integer variables and the match rows added:

1. maximise Σ W·x, W the category weights scaled to integers (× the least common denominator of
   the decimals written, so Σ W·x is an integer); held by the row Σ W·x ≥ S* − ½. Any whole-fen
   allocation has an integer Σ W·x, so the row admits exactly those with Σ W·x ≥ S*: the ½ is
   strictly below the smallest possible step (1) and above the solvers' feasibility tolerance
   (1e-6), so the solver can neither cut the optimum off nor let a worse one through. Checked
   after every stage in Python integers (`_check`): a solver's answer that keeps a held value or
   a match row only within its tolerance stops the solve (SolveError) instead of going out;
2. (fairness) minimise the largest gap share t. With HiGHS, first as the LP relaxation (x
   continuous; the match rows and stage 1's hold present): its optimum t_LP ≤ t_int, the whole-
   fen optimum. Held by floors funded_e ≥ need_e − ⌊t_LP·need_e + 10⁻⁶⌋ (`SHARE_TOLERANCE`, as
   `lp.enterprise_floors` allows the solver's tolerance); stage 3's MIP then checks them: a
   whole-fen allocation under the floors has every gap_e ≤ t_LP·need_e + 10⁻⁶, so its largest
   share is at most t_LP (to that tolerance) ≤ t_int: it is stage 2's whole-fen optimum and
   the floors are exactly stage 2's hold. If stage 3 finds them infeasible (t_int > t_LP: the
   match rows' fractions of a fen; e1 needing 5 fen, local 1 fen, central at 0.3: t_LP = 0.133,
   t_int = 1/5), the floors are lifted and stage 2 is solved as the MIP, held by floors need_e −
   ⌊t*·need_e⌋ with t* the share of its whole-fen solution as an exact fraction (gaps are whole
   fen, so gap_e ≤ t*·need_e is gap_e ≤ ⌊t*·need_e⌋: exact); the solver finds t* to its
   optimality tolerance (1e-6 absolute on t × the largest need), as the LP does. The method
   note says which (`STAGE2_BY_RELAXATION`, `STAGE2_AS_MIP`);
3. maximise Σ x (an integer), held by Σ x ≥ funded − ½ as stage 1; then the tie-break by fund
   order (relative MIP gap 0).

Relaxation, repair, certify (stages 1 and 3, with HiGHS). Each stage first solves its LP
relaxation (x continuous, every row: match rows and earlier holds too). Its vertex is whole
fen except where match rows bind; every arc of an enterprise whose arcs are all whole stays at its
value, and a small MIP over the other enterprises' arcs (the rest of the program unchanged) finds
the best whole-fen completion. The bound B it must reach: the relaxation's optimum U, lowered by
each of those enterprises' own integrality loss: with the rows that reach beyond one enterprise
(budgets, holds) priced by the relaxation's duals π, the Lagrangian bound Σ π·b + Σ_e min over
enterprise e's own rows of (c − Aᵀπ)·x_e is a bound on the whole-fen optimum for any π of the
right signs; at the relaxation's π it is U with, per enterprise, its continuous minimum replaced
by its whole-fen one (two tiny solves each, `_integrality_loss`; an enterprise whose arcs are
whole at the relaxation's optimum loses nothing). Stage 1's and stage 3's objectives are integers
(Σ W·x, Σ x), so no whole-fen answer beats ⌈B − m⌉ (minimised; m = 10⁻⁶, or 10⁻¹² of |B| where
more: `bound_margin`) and a completion reaching it is the optimum: proven by the bound. Otherwise
the stage is the full MIP as before. Either way the answer goes out only after `_whole`'s integer
checks, and the note says which (`REPAIRED`, `AS_MIP`). The bound trusts the solver's LP
optimum and duals to its tolerances (to m), as the MIP trusts its own LP bounds. Hand-worked
cases of both outcomes and 16 random tiny ones against the MIP alone: tests/test_mip_repair.py.

The tie-break: the exact MIP up to `TIE_BREAK_MIP_MAX_ARCS` arcs, its repair beyond (decided
2026-11-30, issue 13). The tie-break only picks one allocation among those that keep stages 1-3,
by fund order; its costs are real (rank + ½·jitter), so its repair is certified only where it
reaches the relaxation's bound within the MIP's own 10⁻⁶ (6 of 16 tiny cases). At 77,834 arcs
the exact MIP cost 46-57 s of CPU, alone more than the issue's 30 s, while the repair lands
2,669,493,407.60 against the bound 2,669,493,403.36: 4.24 cost units (1.6·10⁻⁹ of the value;
a cost unit is one fen moved one place down the fund order). So beyond the threshold the answer
is the repair whatever its distance: whole fen, every stage's value and every match row kept
exactly (`_whole`), the same every run, and the method note states the distance from the bound
(`TIE_BREAK_NEAR`), which bounds its distance from the exact tie-break too. Below it, every
test and shipped example keeps the exact MIP. (Started from the repair, `Highs.setSolution`,
HiGHS's MIP took 116 s instead of 46 s.)

How the solves are run (bench/bureau_rules.py at 10,000 enterprises). With HiGHS every solve is
on one model held across the stages (`highs_across_stages`: the program handed over once, then
only what moved; at 10,000 enterprises PuLP's own plug-in spent 2-3 s a hand-over). A stage's
relaxation runs over the arcs the last relaxation or whole-fen answer paid, the others priced
back in by their reduced costs until none would enter (`OverPaidArcs`, column generation: the
same optimum, each of stages 2 and 3 in 0.5-2.8 s against 6-7 s whole); stage 1 starts from the
arcs the flow without the match rows pays (`match_first`), the tie-break from every arc (it
moves money onto arcs no stage paid: 21,771 priced in over 4 rounds, 19 s, against 7.9 s
whole). A repair solves only its loose enterprises' arcs and the rows they touch
(`HighsAcrossStages.solve_fixed`: 0.01-1.6 s, against 0.5-2.4 s on the whole model).

Shadow prices ("prices from the relaxation"). A MIP has no duals. funds.csv (right derivatives),
the stage-1 duals (the solver's, of one LP) and `explain`'s prices and ranges come from stage 1's LP
relaxation: the same rows, x continuous (`mip_prices`, which says why not with the whole-fen
optimum's arcs at 0 fixed); the slacks are the whole-fen optimum's own. The method note and
explain's output say so. Stage 1's own relaxation (above) is that LP, its objective × L: its
optimum and bounds' duals (÷ L) are handed to `mip_prices.Relaxation` instead of a second solve
(any optimum of the LP cuts out the same dual face).

`--method auto` runs this only when the flow's answer without the match rows breaks one of them
(`match_first`, which proves that otherwise that answer is this one's, stage by stage; the MIP's
note then ends with how many broke); `--method pulp` always runs it.

Measured (bench/bureau_rules.py, whose docstring has the stages one by one; machine at load
10-12): xianan-match end to end in 1.3 s CPU (the LP on xianan-2025: 1.5 s); 1,000 generated
enterprises with every bureau rule and a match, 13 s CPU, each MIP solved at its root node;
10,000: stage 1 19 s CPU, stage 2 (fairness) 162 s CPU: over the issue's 30 s, the time HiGHS's.
With stage 2 as its relaxation held by floors (load 1.2-3.4): stage 1 17.1 s, stage 2 9.4 s,
stage 3 40.5 s, tie-break 55.7 s, prices from the relaxation 26.5 s CPU: about 155 s in all.
With the repair (20:00 UTC, load 2.2-3.2): stage 1 10.4 s and stage 3 13.8 s, both certified (142
of 77,834 arcs left to the repair's MIP; the bound met exactly), stage-1 duals 3.0 s, stage 2
8.9 s, the tie-break's MIP 57.3 s (45.9 s in an earlier run at load 2.4), prices 13.6 s: about
112 s in all. With the held model, the restrictions and the tie-break's repair (2026-11-30
21:48 UTC, load 0.5-0.7, the bench's every-rule file with the factor method, CPU s in one
process): the flow without the match rows 1.3, PuLP model 2.4, stage 1 2.8, stage 2 1.4 and its
floors 0.5, stage 3 2.9, tie-break 10.1 (its relaxation 7.9), fund prices 0.0 (a price the
relaxation's own duals give as 0 needs no LP: `mip_prices.Relaxation.extremes`): 23.5 s with
the rules. On both bench files (with and without the factor method) the tie-break's repair is
the exact MIP's allocation fen for fen (the MIP run once each to see: 48.6 s and 62.8 s of
CPU), though its bound cannot show it.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pulp

from subsidy.allocate.highs_across_stages import HighsAcrossStages
from subsidy.allocate.lp import PulpBackend, fairness_scale, run
from subsidy.allocate.lp_solvers import make_mip_solver, make_solver
from subsidy.allocate.mip_prices import RelaxationPrices
from subsidy.allocate.match_rows import broken_matches
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import SolveError

MIP_NOTE = "配套 rule: not a network; solved as whole-fen MIP (PuLP); prices from the relaxation"
INTEGRAL = 1e-6
"""A solver's integer variable within this of a whole fen counts as that fen (HiGHS's and CBC's
integrality tolerance); anything further stops the solve."""


def integer_weights(rules: Rules) -> tuple[list[int], int]:
    """Per arc its category weight × L, and L: the least common denominator of the weights as
    the decimals written (3, 1, 0.5 → 6, 2, 1 and L = 2), so Σ W·x is an integer in fen."""
    fractions = {c: Fraction(repr(w)) for c, w in rules.weights.items()}
    scale = math.lcm(*(f.denominator for f in fractions.values())) if fractions else 1
    cats = rules.lines.categories
    whole = {c: int(f * scale) for c, f in fractions.items()}
    return [whole[cats[c]] for c in rules.lines.category[rules.arc_line].tolist()], scale


SHARE_TOLERANCE = Fraction(1, 10**6)
"""Fen of gap allowed above t·need when stage 2's floors come from the relaxation's t (as
`lp.enterprise_floors` allows 1e-6 fen): the solver's t is optimal to its tolerance."""


STAGE2_BY_RELAXATION = "stage 2 held by its LP relaxation's floors (whole-fen feasible, so optimal)"
STAGE2_AS_MIP = "stage 2 as a MIP (its LP relaxation's floors are not whole-fen feasible)"


BOUND_TOLERANCE = 1e-6
"""How far the solver's LP optimum may lie from the relaxation's true one when it bounds a stage:
the MIP's own absolute gap (`lp_solvers.make_mip_solver`), whose dual bounds are LP values too;
widened to 10⁻¹² of the bound where that is more (`bound_margin`: at 10⁹ a double's last place
is 10⁻⁷, so 10⁻⁶ alone would trust the solver to a few units in it)."""


def bound_margin(bound: float) -> float:
    """`BOUND_TOLERANCE`, or 10⁻¹² of |bound| where more (1.5·10⁻³ at the bench's 1.45·10⁹):
    still far below the 1 that separates two whole-fen values."""
    return max(BOUND_TOLERANCE, 1e-12 * abs(bound))


REPAIRED = "by its LP relaxation repaired in whole fen (certified by the relaxation's bound)"
AS_MIP = "as the whole-fen MIP (the repair of its relaxation did not reach the bound)"
TIE_BREAK_MIP_MAX_ARCS = 20_000
"""Up to this many arcs the tie-break is the exact MIP (1,000 enterprises, 7,751 arcs: 2 s of
CPU); beyond, the repair of its relaxation (module docstring: 46-57 s of MIP at 77,834 arcs)."""
TIE_BREAK_NEAR = ("by its LP relaxation repaired in whole fen, {above:.2f} cost units above the relaxation's bound "
                  f"(every stage's value kept exactly; beyond {TIE_BREAK_MIP_MAX_ARCS:,} arcs the exact tie-break MIP is not run)")


def largest_share(rules: Rules, fen: np.ndarray) -> Fraction:
    """The largest gap share of an allocation in whole fen, exactly: stage 2's value of a whole-fen
    answer (here, and for the flow's answer in `match_first`)."""
    lines = rules.lines
    need = np.zeros(len(lines.enterprises), dtype=np.int64)
    np.add.at(need, lines.enterprise, lines.residual)
    got = np.zeros(len(lines.enterprises), dtype=np.int64)
    np.add.at(got, rules.arc_enterprise, fen)
    has = np.flatnonzero(need > 0)
    return max((Fraction(int(need[e] - got[e]), int(need[e])) for e in has.tolist()), default=Fraction(0))


PRICED_OUT = 1e-7
"""An arc left out of a relaxation (`OverPaidArcs`) whose reduced cost is below −this is priced
back in: HiGHS's own dual feasibility tolerance, by which it calls its own columns optimal, so
the restriction's optimum is trusted exactly as far as the whole relaxation's would be."""


class OverPaidArcs(pulp.LpSolver):
    """A stage's LP relaxation solved over the arcs the last stage paid, the rest priced in as
    needed (column generation): exact, and at 10,000 enterprises a fraction of the program.

    The arcs neither the last relaxation nor the last whole-fen answer paid start at 0 (upper
    bound 0). At that restriction's optimum every arc left out is priced with the row duals
    HiGHS reports (its reduced cost c − aᵀy, which HiGHS gives for fixed columns too); any
    below −`PRICED_OUT` is let in and the LP solved again (from scratch: `highs_across_stages`
    says why), until none is: the restriction's optimum is then the whole relaxation's (its duals
    are feasible for every arc). A restriction that fails (infeasible: the holds may need an arc
    left out) is solved whole. Stage 3 at 10,000 enterprises: 1,209 arcs let in over 2 rounds."""

    name = "HiGHS"

    def __init__(self, engine: pulp.LpSolver, x: list):
        super().__init__(mip=False, msg=False)
        self.engine, self.x = engine, x
        self.paid: np.ndarray | None = None  # per arc: carries money in the last relaxation or answer
        self.rounds: list[int] = []  # per solve: arcs priced back in, for bench and tests

    def available(self) -> bool:
        return True

    def remember(self, fen: np.ndarray) -> None:
        """The arcs a whole-fen answer pays join the next restriction."""
        if self.paid is not None:
            self.paid |= np.asarray(fen) > 0

    def actualSolve(self, lp: pulp.LpProblem, **kwargs) -> int:
        left_out = [] if self.paid is None else [v for v, paid in zip(self.x, self.paid.tolist()) if not paid and v.upBound != 0]
        bounds = [v.upBound for v in left_out]
        entered = 0
        try:
            for v in left_out:
                v.upBound = 0
            while True:
                status = self.engine.actualSolve(lp)
                if status != pulp.LpStatusOptimal or not left_out:
                    break
                priced_in = [k for k, v in enumerate(left_out) if (v.dj or 0.0) < -PRICED_OUT]
                if not priced_in:
                    break
                for k in priced_in:
                    left_out[k].upBound = bounds[k]
                entered += len(priced_in)
                keep = np.ones(len(left_out), dtype=bool)
                keep[priced_in] = False
                left_out = [v for v, k in zip(left_out, keep.tolist()) if k]
                bounds = [b for b, k in zip(bounds, keep.tolist()) if k]
        finally:
            for v, b in zip(left_out, bounds):
                v.upBound = b
        if status != pulp.LpStatusOptimal and self.paid is not None:  # the restriction failed: whole
            entered = -1
            status = self.engine.actualSolve(lp)
        self.rounds.append(entered)
        self.paid = np.array([(v.varValue or 0.0) > INTEGRAL for v in self.x])
        return status


class MipBackend(PulpBackend):
    """The stages as whole-fen MIPs on the LP's PuLP model; see the module docstring."""

    def __init__(self, rules: Rules, solver: str = "highs", note: str = MIP_NOTE, paid: np.ndarray | None = None):
        """`paid`: a whole-fen allocation close to the answer (the flow's without the match rows,
        `match_first`), whose arcs stage 1's relaxation starts from (`OverPaidArcs`)."""
        super().__init__(rules, solver, note)
        for v in self.x:
            v.cat = pulp.LpInteger
        if solver == "highs":  # one model across the stages, each solve handing over only what moved
            self.lp_engine = OverPaidArcs(HighsAcrossStages(mip=False), self.x)
            self.engine = HighsAcrossStages(mip=True, mip_rel_gap=0.0, mip_abs_gap=1e-6)
            if paid is not None:
                self.lp_engine.paid = np.asarray(paid) > 0
        else:
            self.lp_engine, self.engine = make_solver(solver, len(self.x)), make_mip_solver(solver)
        self.match = rules.match_rows()
        self.n_before_match = len(self.rows)
        for by, den, paid, num in self.match:
            self._add(pulp.LpAffineExpression([(self.x[a], float(den)) for a in by] + [(self.x[a], -float(num)) for a in paid]) >= 0)
        self.int_weights, self.scale = integer_weights(rules)
        # Σ W·x and Σ x are compared in doubles by the solver: keep them below 2^53, where every
        # integer is exact and ½ is far above the solvers' tolerance.
        most = int(rules.lines.residual.sum()) * max(self.int_weights, default=0)
        if most >= 2**53:
            raise SolveError(f"the weighted gap in fen × {self.scale} ({most}) is beyond 2^53: the whole-fen MIP "
                             "cannot hold it exactly / 加权缺口过大，整数规划无法精确求解")
        self._prices: RelaxationPrices | None = None
        self.stage2: str | None = None  # how stage 2 was held, for the note
        self.relaxed_share: float | None = None  # stage 2's LP relaxation optimum while its floors are tried
        self.held: list[tuple[np.ndarray, np.ndarray, int]] = []  # (arcs, integer coefficients, least): the holds, checked exactly
        self.by_stage: dict[str, str] = {}  # stage → REPAIRED or AS_MIP, for the note
        self.certificates: dict[str, tuple] = {}  # stage → (the repair's value, the bound it had to reach), for bench and tests
        self.stage1_relaxation: tuple[np.ndarray, np.ndarray] | None = None  # (x with the pool's z, bounds' duals)

    @property
    def note(self) -> str:
        notes = [self._note]
        for how in sorted(set(self.by_stage.values()), key=lambda how: (how != REPAIRED, how != AS_MIP)):  # then TIE_BREAK_NEAR
            stages = ["tie-break" if "tie-break" in name else name.split(" (")[0] for name, by in self.by_stage.items() if by == how]
            notes.append(f"{', '.join(stages)} {how}")
        return "; ".join(notes + ([self.stage2] if self.stage2 else []))

    @property
    def units_per_fen(self) -> int:
        return 1  # `tie_break` gives whole fen, checked

    @property
    def exact_prices(self) -> bool:
        return False

    def _whole(self, stage: str) -> np.ndarray:
        """The solver's values in whole fen, checked against every held value and match row in integers."""
        values = np.array([float(v.varValue or 0.0) for v in self.x])
        fen = np.rint(values).astype(np.int64)
        if len(values) and np.abs(values - fen).max() > INTEGRAL:
            raise SolveError(f"{stage}: the solver's values are not whole fen")
        broken = broken_matches(self.match, fen)
        if broken:
            raise SolveError(f"{stage}: the solver's answer breaks {self.rules.match_names()[broken[0]]} in whole fen")
        for arcs, coefs, least in self.held:  # |Σ| < 2^53 (checked in __init__): exact in int64
            if int(fen[arcs] @ coefs) < least:
                raise SolveError(f"{stage}: the solver's answer does not keep an earlier stage's optimum in whole fen")
        if isinstance(self.lp_engine, OverPaidArcs):
            self.lp_engine.remember(fen)
        return fen

    def _hold(self, arcs, coefs, least: int) -> None:
        """Σ coefs·x[arcs] ≥ least in whole fen: the row ≥ least − ½ (module docstring), checked by `_whole`."""
        arcs, coefs = np.asarray(arcs, dtype=np.int64), np.asarray(coefs, dtype=np.int64)
        self.held.append((arcs, coefs, least))
        self._add(pulp.LpAffineExpression([(self.x[a], float(c)) for a, c in zip(arcs.tolist(), coefs.tolist()) if c]) >= least - 0.5)

    # --- relaxation, repair, certify ------------------------------------------------------------------
    def _solve(self, stage: str, value_of, keep_relaxation: bool = False) -> np.ndarray:
        """The current objective's whole-fen optimum, checked (`_whole`): by `_repair` where it
        certifies, else the MIP itself; `value_of(fen)` is the objective in exact numbers."""
        fen, bound = self._repair(stage, keep_relaxation) if self.solver == "highs" else (None, None)
        if fen is not None:
            value = value_of(fen)
            self.certificates[stage] = (value, bound)
            if value <= math.ceil(bound - bound_margin(bound)):  # integer objectives: none below ⌈bound − margin⌉
                self.by_stage[stage] = REPAIRED
                return fen
        run(self.problem, self.engine, stage)
        self.by_stage[stage] = AS_MIP
        return self._whole(stage)

    def _repair(self, stage: str, keep_relaxation: bool) -> tuple[np.ndarray | None, float | None]:
        """The LP relaxation of the current program (x continuous, every row), its whole-fen
        enterprises fixed at its values and the rest a MIP: (that completion, checked in whole
        fen, and the bound it has to reach: module docstring), or (None, None) where it fails."""
        try:
            run(self.problem, self.lp_engine, f"{stage}: its LP relaxation")
        except SolveError:
            return None, None  # the MIP says why
        bound = float(pulp.value(self.problem.objective) or 0.0)
        values = np.array([float(v.varValue or 0.0) for v in self.x])
        if keep_relaxation:  # stage 1's relaxation is the prices' (`mip_prices.Relaxation`), scaled by L
            pool = [float(z.varValue or 0.0) for z in self.z]
            duals = np.array([-float(c.pi or 0.0) / self.scale for c in self.rows[: self.n_bounds]])
            self.stage1_relaxation = (np.concatenate([values, pool]), duals)
        fractional = np.abs(values - np.rint(values)) > INTEGRAL
        if fractional.any():
            loose = np.zeros(len(self.rules.lines.enterprises), dtype=bool)
            loose[self.rules.arc_enterprise[fractional]] = True
            fixed = np.flatnonzero(~loose[self.rules.arc_enterprise]).tolist()
            bound += self._integrality_loss(np.flatnonzero(loose[self.rules.arc_enterprise]))
            if not math.isfinite(bound):
                return None, None
            # the whole-fen enterprises at their values, the rest a small MIP of its own
            status = self.engine.solve_fixed(self.problem, [self.x[a] for a in fixed], np.rint(values)[fixed])
            if status != pulp.LpStatusOptimal:
                return None, None
        try:
            return self._whole(stage), bound
        except SolveError:
            return None, None

    def _integrality_loss(self, loose: np.ndarray) -> float:
        """Σ over the enterprises of the arcs `loose` of (their whole-fen minimum − their continuous
        minimum) of the current objective, every row across enterprises priced by the relaxation's
        duals just found: what the relaxation's bound rises by (module docstring); inf if unbounded."""
        arcs = {self.x[a].name: a for a in loose.tolist()}
        enterprise = self.rules.arc_enterprise
        costs = {a: float(self.problem.objective.get(self.x[a], 0.0)) for a in arcs.values()}
        local: dict[int, list] = {}
        # only on HiGHS's held model (`_repair`), which knows which rows touch the loose arcs
        for row in self.problem.held_highs.rows_of([self.x[a] for a in arcs.values()]):
            touched = [(arcs[v.name], float(c)) for v, c in row.items() if v.name in arcs]
            if not touched:
                continue
            owners = {int(enterprise[a]) for a, _ in touched}
            if len(touched) == len(row) and len(owners) == 1:
                local.setdefault(owners.pop(), []).append((touched, row.sense, -float(row.constant)))
            else:  # Lagrangian: the row's dual moves into the costs
                for a, c in touched:
                    costs[a] -= float(row.pi or 0.0) * c
        lp, mip = make_solver(self.solver), self.engine
        loss = 0.0
        for e in sorted({int(enterprise[a]) for a in arcs.values()}):
            own = [a for a in arcs.values() if enterprise[a] == e]
            minima = []
            for engine, cat in ((lp, pulp.LpContinuous), (mip, pulp.LpInteger)):
                part = pulp.LpProblem(f"enterprise{e}", pulp.LpMinimize)
                y = {a: part.add_variable(f"y{a}", lowBound=0, cat=cat) for a in own}
                for touched, sense, rhs in local.get(e, []):
                    part.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression([(y[a], c) for a, c in touched]), sense, rhs=rhs))
                part.setObjective(pulp.LpAffineExpression([(y[a], costs[a]) for a in own]) + 0)
                if part.solve(engine) != pulp.LpStatusOptimal:
                    return math.inf if part.status == pulp.LpStatusInfeasible else -math.inf
                minima.append(float(pulp.value(part.objective) or 0.0))
            loss += minima[1] - minima[0]
        return loss

    # --- the stages -------------------------------------------------------------------------------
    def minimise_weighted_gap(self) -> float:
        if self.empty:
            return super().minimise_weighted_gap()
        self.problem.setObjective(pulp.LpAffineExpression([(v, -float(w)) for v, w in zip(self.x, self.int_weights) if w]) + 0)
        weights = np.asarray(self.int_weights, dtype=np.int64)
        self.optimum = self._solve("stage 1 (weighted gap, whole-fen MIP)", lambda fen: -int(fen @ weights), keep_relaxation=True)
        self.saved = sum(w * f for w, f in zip(self.int_weights, self.optimum.tolist()))
        self.duals = None
        return (self.weighted_need - self.saved / self.scale) / 100  # exact from the fen once rounded (`rounding.values_of`)

    def stage1_duals(self) -> tuple[np.ndarray, np.ndarray]:
        if self.empty:
            return super().stage1_duals()
        if self.duals is None:
            self.duals = self.prices().relaxation().duals()
        limits = self.rules.membership()[2]
        return self.duals, (limits - self.rules.rule_use(self.optimum)) / 100  # a pooled region's at its least take

    def hold_weighted_gap(self, value: float) -> None:
        if not self.empty:
            self._hold(np.arange(len(self.x)), self.int_weights, self.saved)

    def minimise_largest_gap_share(self) -> float:
        """Stage 2's LP relaxation (HiGHS; x continuous), held by whole-fen floors that stage 3
        checks (`hold_largest_gap_share`); the MIP itself with any other solver."""
        self.relaxed_share = None
        if self.empty or self.solver != "highs":
            return super().minimise_largest_gap_share()
        mip, self.engine = self.engine, self.lp_engine
        try:
            self.relaxed_share = super().minimise_largest_gap_share()
        finally:
            self.engine = mip
        return self.relaxed_share

    def hold_largest_gap_share(self, value: float) -> None:
        if self.empty:
            return
        if self.relaxed_share is not None:  # floors from the relaxation's t; stage 3 tries them first
            self.floors_from = (len(self.rows), len(self.held))
            t = Fraction(self.relaxed_share)
            self._hold_floors(lambda n: n - math.floor(t * n + SHARE_TOLERANCE))
            self.stage2 = STAGE2_BY_RELAXATION
            return
        self._hold_whole_fen_share()

    def _hold_floors(self, floor_of) -> None:
        """Each enterprise with a need held at funded ≥ floor_of(need) (where above 0); the share
        rows then hold whatever is funded: the floors decide from here."""
        by_enterprise = self.rules.arcs_by_enterprise()
        for e, n in sorted(self.need.items()):
            floor = floor_of(n)
            if floor > 0 and by_enterprise.get(e):
                self._hold(by_enterprise[e], np.ones(len(by_enterprise[e])), floor)
        self.share.lowBound = 1

    def _drop_relaxed_floors(self) -> None:
        """Stage 3 found the relaxation's floors infeasible in whole fen: back to stage 2 as a MIP."""
        rows, held = self.floors_from
        for constraint in self.rows[rows:]:
            constraint.changeRHS(0)  # Σ x ≥ 0: no longer a floor
        del self.held[held:]
        self.relaxed_share = None
        self.share.lowBound = 0
        self.problem.setObjective(pulp.LpAffineExpression([(self.share, fairness_scale(self.need))]))
        run(self.problem, self.engine, "stage 2 (largest gap share, whole-fen MIP)")
        self._hold_whole_fen_share()
        self.stage2 = STAGE2_AS_MIP

    def _hold_whole_fen_share(self) -> None:
        share = largest_share(self.rules, self._whole("stage 2 (largest gap share, whole-fen MIP)"))
        self._hold_floors(lambda n: n - math.floor(share * n))

    def maximise_funded(self) -> float:
        if self.empty:
            return 0.0
        stage = "stage 3 (spend what can still be spent, whole-fen MIP)"
        self.problem.setObjective(-self.total_funded)
        try:
            fen = self._solve(stage, lambda fen: -int(fen.sum()))
        except SolveError:
            if self.relaxed_share is None:
                raise
            self._drop_relaxed_floors()
            self.problem.setObjective(-self.total_funded)
            fen = self._solve(stage, lambda fen: -int(fen.sum()))
        self.funded = int(fen.sum())
        return self.funded / 100

    def hold_funded(self, value: float) -> None:
        if not self.empty:
            self._hold(np.arange(len(self.x)), np.ones(len(self.x)), self.funded)

    def tie_break(self) -> np.ndarray:
        """The exact MIP up to `TIE_BREAK_MIP_MAX_ARCS` arcs (or with a solver other than HiGHS);
        beyond, the repair of its relaxation, certified or within the distance the note gives
        (module docstring)."""
        if self.empty:
            return np.zeros(0)
        stage = "stage 3 (tie-break by fund order, whole-fen MIP)"
        costs = self.rules.tie_break_costs()
        self.problem.setObjective(pulp.LpAffineExpression(list(zip(self.x, costs))))
        fen = None
        if self.solver == "highs" and len(self.x) > TIE_BREAK_MIP_MAX_ARCS:
            # whole: the tie-break moves money onto arcs no stage paid (at 10,000 enterprises
            # 21,771 were priced in over 4 rounds, 19 s, against 7.5 s for the whole relaxation)
            self.lp_engine.paid = None
            fen, bound = self._repair(stage, keep_relaxation=False)
            if fen is not None:
                value = math.fsum(c * f for c, f in zip(costs, fen.tolist()))
                self.certificates[stage] = (value, bound)
                self.by_stage[stage] = REPAIRED if value <= bound + bound_margin(bound) else TIE_BREAK_NEAR.format(above=value - bound)
        if fen is None:
            run(self.problem, self.engine, stage)
            self.by_stage[stage] = AS_MIP
            fen = self._whole(stage)
        if int(fen.sum()) != self.funded:
            raise SolveError(f"{stage}: the solver's answer does not spend stage 3's total")
        return fen

    # --- prices -------------------------------------------------------------------------------------
    def prices(self) -> RelaxationPrices:
        if self._prices is None:
            self._prices = RelaxationPrices(self.rules, self.solver, self.stage1_relaxation)
        return self._prices

    def fund_prices(self) -> np.ndarray:
        """Per fund, the right derivative of the relaxation's optimum in its budget: "prices from
        the relaxation" (one small LP per fund on the relaxation's dual face)."""
        nf = len(self.rules.scenario.funds)
        if self.empty:
            return np.zeros(nf)
        more, _ = self.prices().marginal_values(np.arange(nf), right_only=True)
        return more
