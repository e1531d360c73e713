"""Synthetic scenarios of any size, drawn like the seed reports, for benchmarks and random tests.

The seed (咸安, 楚雄, 临淄 reports) gives, per industry, how large a closed line is and how many
workers it employs, and for two carbide plants what closure costs per worker and per tonne.
Everything else (the spread around those figures, the regions, the funds' rules and budgets) is
an assumption stated in the scenario's `assumptions`, so nobody mistakes it for data.

The output depends only on (enterprises, funds, seed): `random.Random(seed)` is the only source
of randomness and amounts are whole fen, so the same arguments give the same file byte for byte.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Industry:
    """How closures in one industry look: capacity closed (万吨) and workers per 万吨."""

    label_zh: str
    share: float  # of generated enterprises
    capacity: tuple[float, float]  # 万吨, drawn log-uniformly
    workers_per_capacity: tuple[float, float]
    source: str


# Ranges bracket the seed's figures; the shares are an assumption.
INDUSTRIES: dict[str, Industry] = {
    "cement": Industry("水泥", 0.34, (5, 80), (8, 16), "seed: 耀华 8万吨/90人; 临淄 80万吨/1120人"),
    "steel": Industry("钢铁", 0.14, (20, 80), (14, 70), "seed: 宏达 73万吨/2800人; 隆盛 45万吨/3080人; 顺泰 50万吨/700人"),
    "carbide": Industry("电石", 0.18, (0.8, 3), (60, 390), "seed: 温泉 1万吨/386人; 恒宇 1.5万吨/100人"),
    "glass": Industry("玻璃", 0.10, (1, 5), (60, 110), "seed: 临淄福利玻璃厂 1.8万吨/160人"),
    "coal": Industry("煤炭", 0.16, (5, 30), (10, 22), "seed: 临淄小煤矿 40万吨/630人"),
    "refining": Industry("炼油", 0.08, (5, 20), (18, 34), "seed: 临淄化工厂 10万吨/260人"),
}

# 万元 per worker and per 万吨, around the 温泉 and 恒宇 carbide plants (453.6 / 386 workers,
# 342 / 100 workers for living allowance and resettlement, 5 for dismantling 1.5万吨, ...).
PER_WORKER = {
    "resettlement": (0.8, 1.6),
    "living_allowance": (0.2, 0.8),
    "retiree_social_insurance": (0.6, 1.8),  # per retiree; retirees are 10-30% of the workforce
    "pooled_fund_repayment": (0.05, 0.15),
}
PER_CAPACITY = {"dismantling": (2.0, 5.0), "land_restoration": (4.0, 9.0)}
# How often an enterprise has a line at all (the seed's plants have 4-5 of the 10 categories).
LINE_PROBABILITY = {
    "resettlement": 1.0,
    "living_allowance": 0.5,
    "retiree_social_insurance": 0.6,
    "pooled_fund_repayment": 0.3,
    "bank_debt": 0.5,
    "restructuring": 0.3,
    "dismantling": 0.7,
    "land_restoration": 0.4,
    "conversion": 0.15,
    "operating_loss": 0.15,
}

PROVINCES = ["湖北", "云南", "山东", "河北", "山西", "内蒙古", "河南", "贵州", "四川", "广西", "江西", "安徽"]
LESS_DEVELOPED = ["湖北", "云南", "山西", "内蒙古", "河南", "贵州", "四川", "广西", "江西"]

# (id, name, level, categories, share of the total budget)
FUND_TEMPLATES = [
    ("central_reward", "中央财政淘汰落后产能奖励资金", "central",
     ["resettlement", "living_allowance", "retiree_social_insurance", "pooled_fund_repayment", "bank_debt", "conversion"], 0.40),
    ("provincial_support", "省级淘汰落后产能配套资金", "provincial",
     ["resettlement", "living_allowance", "retiree_social_insurance", "dismantling"], 0.25),
    ("municipal_support", "市级淘汰落后产能补助资金", "municipal",
     ["resettlement", "living_allowance", "dismantling", "land_restoration", "restructuring"], 0.15),
    ("county_support", "县级财政配套资金", "county",
     ["resettlement", "pooled_fund_repayment", "land_restoration", "restructuring", "conversion"], 0.10),
    ("debt_resolution", "企业债务化解周转资金", "other",
     ["bank_debt", "pooled_fund_repayment", "conversion", "operating_loss"], 0.10),
]
CENTRAL_RATE = {"cement": 12, "steel": 15, "carbide": 150, "glass": 40, "coal": 20, "refining": 25}  # 万元 per 万吨


def _fen(rng: random.Random, low: float, high: float, scale: float = 1.0) -> int:
    return int(round(rng.uniform(low, high) * scale * 100))


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return low * (high / low) ** rng.random()


def _amount(fen: int) -> float:
    # fen / 100 prints as the exact two-decimal amount (shortest repr that round-trips).
    return fen / 100


def _region(rng: random.Random) -> str:
    province = rng.choice(PROVINCES)
    return f"{province}/市{rng.randint(1, 8):02d}/县{rng.randint(1, 12):02d}"


def _enterprise(rng: random.Random, index: int, seed: int) -> dict:
    industries = list(INDUSTRIES)
    industry = rng.choices(industries, weights=[INDUSTRIES[i].share for i in industries])[0]
    spec = INDUSTRIES[industry]
    capacity = round(_log_uniform(rng, *spec.capacity), 1)
    workers = max(20, int(capacity * rng.uniform(*spec.workers_per_capacity)))
    region = _region(rng)
    costs: dict[str, int] = {}
    for cat, probability in LINE_PROBABILITY.items():
        if rng.random() >= probability:
            continue
        if cat in PER_WORKER:
            covered = workers if cat != "retiree_social_insurance" else max(1, int(workers * rng.uniform(0.1, 0.3)))
            costs[cat] = _fen(rng, *PER_WORKER[cat], covered)
        elif cat in PER_CAPACITY:
            costs[cat] = _fen(rng, *PER_CAPACITY[cat], capacity)
        elif cat == "bank_debt":
            costs[cat] = _fen(rng, 0.3, 1.2, workers)
        elif cat == "restructuring":
            costs[cat] = _fen(rng, 20, 80)
        elif cat == "conversion":
            costs[cat] = _fen(rng, 50, 300)
        else:  # operating_loss
            costs[cat] = _fen(rng, 0.1, 0.5, workers)
    total = sum(costs.values())
    own = int(total * rng.uniform(0.2, 0.7))
    rule = rng.choices(["statutory", "proportional", "free"], weights=[0.8, 0.12, 0.08])[0]
    province, city, county = region.split("/")
    return {
        "id": f"e{index:06d}",
        "name": f"{province}{city}{county}{spec.label_zh}企业{index:06d}",
        "region": region,
        "industry": industry,
        "capacity": {"amount": capacity, "unit": "万吨"},
        "workers": workers,
        "costs": {c: _amount(v) for c, v in costs.items()},
        "own_funds": {"asset_sales": _amount(own)} if own else {},
        "own_funds_rule": rule,
        "source": f"generated: subsidy generate --seed {seed}",
    }


def _fund(rng: random.Random, index: int, budget_fen: int) -> dict:
    template = FUND_TEMPLATES[index % len(FUND_TEMPLATES)]
    fund_id, name, level, categories, _ = template
    round_no = index // len(FUND_TEMPLATES)
    if round_no:
        fund_id, name = f"{fund_id}_{round_no + 1}", f"{name}（第{round_no + 1}批）"
    if level == "other":
        regions = []  # a national debt-resolution facility: any region
        caps = {"per_enterprise": rng.choice([200, 300, 500]), "share_of_need": rng.choice([0.5, 0.6, 0.7])}
    elif level == "central":
        regions = sorted(rng.sample(LESS_DEVELOPED, k=7))
        caps = {"per_capacity": dict(CENTRAL_RATE), "per_enterprise": 3000, "share_of_need": 0.8}
    else:
        regions = sorted(rng.sample(PROVINCES, k=7))
        caps = {}
        kinds = rng.sample(["per_enterprise", "share_of_need", "per_capacity"], k=rng.randint(1, 2))
        if "per_enterprise" in kinds:
            caps["per_enterprise"] = rng.choice([200, 300, 500, 800])
        if "share_of_need" in kinds:
            caps["share_of_need"] = rng.choice([0.5, 0.6, 0.7, 0.75, 0.9])
        if "per_capacity" in kinds:
            caps["per_capacity"] = {i: round(rate * rng.uniform(0.5, 1.0), 1) for i, rate in CENTRAL_RATE.items()}
    return {
        "id": fund_id,
        "name": name,
        "level": level,
        "budget": _amount(budget_fen),
        "categories": list(categories),
        "scope": {"regions": regions} if regions else {},
        "caps": caps,
        "source": "assumption: generated (subsidy generate); categories follow the fund's level, scope and caps are drawn",
    }


def generate(enterprises: int, funds: int = 5, seed: int = 0, budget_ratio: float = 0.45) -> dict:
    """A scenario as plain data (ready for YAML/JSON or `scenario_from_data`).

    `budget_ratio` is the total budget as a share of the enterprises' total cost before own funds;
    it is split over the funds by their template's share, so there is a real gap to allocate.
    """
    if enterprises < 1 or funds < 1:
        raise ValueError("need at least one enterprise and one fund")
    rng = random.Random(seed)
    ents = [_enterprise(rng, i, seed) for i in range(enterprises)]
    total_cost = sum(round(v * 100) for e in ents for v in e["costs"].values())
    shares = [FUND_TEMPLATES[i % len(FUND_TEMPLATES)][4] for i in range(funds)]
    pot = total_cost * budget_ratio
    fund_list = [_fund(rng, i, int(pot * s / sum(shares))) for i, s in enumerate(shares)]
    # Every province is in some regional fund's scope (a region no fund may pay would make the
    # largest gap share 1 whatever the allocation): provinces none covers go to the narrowest.
    regional = [f for f in fund_list if f["scope"]]
    covered = {r for f in regional for r in f["scope"]["regions"]}
    if regional and covered != set(PROVINCES):
        narrowest = min(regional, key=lambda f: len(f["scope"]["regions"]))
        narrowest["scope"]["regions"] = sorted(set(narrowest["scope"]["regions"]) | (set(PROVINCES) - covered))
    return {
        "name": f"合成情景 generated: {enterprises} enterprises, {funds} funds, seed {seed}",
        "unit": "万元",
        "description": "Synthetic scenario from `subsidy generate`; industries, sizes and unit costs are drawn "
        "around the seed reports' figures. Not real enterprises.",
        "enterprises": ents,
        "funds": fund_list,
        "policy": {"fairness": True},
        "assumptions": [
            {"id": "synthetic", "text": "Every enterprise, region and fund here is synthetic.", "source": "subsidy generate"},
            {"id": "budget_ratio", "text": "Total budget as a share of total cost before own funds.",
             "value": budget_ratio, "source": "assumption"},
        ]
        + [{"id": f"industry_{k}", "text": f"{k}: capacity {v.capacity} 万吨, workers per 万吨 {v.workers_per_capacity}",
            "source": v.source} for k, v in INDUSTRIES.items()],
    }


def write(data: dict, out: str | Path) -> Path:
    """YAML for .yaml/.yml (readable, slow to load at scale), JSON otherwise (fast)."""
    out = Path(out)
    if out.suffix.lower() in (".yaml", ".yml"):
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        text = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=120)
    elif out.suffix.lower() == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    else:
        raise ValueError(f"unsupported output type {out.suffix or '(none)'!r}; use .yaml, .yml or .json")
    from subsidy.scenario.files import write_file_atomically

    write_file_atomically(out, text.encode("utf-8"))  # a failed write leaves no half file
    return out
