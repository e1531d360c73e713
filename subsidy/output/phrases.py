"""Every sentence the package prints, in English and Chinese: one table per command, and the
small helpers that name things in them.

    SOLVE      the summary after `subsidy solve` (output/console.py)
    EXPLAIN    `subsidy explain`: what binds, what one more unit is worth, why each gap remains
    CLOSE_GAP  `subsidy close-gap`: the least extra budget and what no budget closes
    COMPARE    `subsidy compare`: each option against the first
    WORKBOOK   the filed workbook (`solve --xlsx`): sheet names, titles, headers, the rules in plain words
    CHECK      the closing lines of `subsidy validate`, `verify` and `sweep`
    PROGRAMME  `subsidy solve` on a programme over several years (output/programme.py)

Column headers are labels, not sentences: they stay in scenario/labels.py (`column`).
"""

from __future__ import annotations

from subsidy.allocate.rules import parse_rule
from subsidy.scenario.labels import Lang, Phrases
from subsidy.scenario.model import Scenario

SOLVE = Phrases({
    "title": {"en": "{name}: solved ({solver}), amounts in {unit}", "zh": "{name}：已求解（{solver}），金额单位 {unit}"},
    "stages": {"en": "Stage 1 weighted gap {wg:,.2f}   Stage 2 largest gap share {share:.2%}",
               "zh": "第一阶段 加权缺口 {wg:,.2f}   第二阶段 最大缺口比例 {share:.2%}"},
    "enterprises": {"en": "Enterprises", "zh": "企业"},
    "funds": {"en": "Funds", "zh": "资金"},
    "total": {"en": "Total", "zh": "合计"},
    "binding": {"en": "Rules that bind (the allocation sits at their limit: a budget or cap used up, a commitment or minimum coverage at its amount, co-funding matched to the fen; the same set as subsidy explain):",
                "zh": "起约束作用的规则（分配结果恰在其限额上：预算或上限已用尽，已定事项或保底恰好达到，配套恰好用足；与 subsidy explain 相同）："},
    "hint": {"en": "Why each gap remains and what one more 万元 is worth: subsidy explain {path}",
             "zh": "各项缺口的原因及每增加1万元的作用：subsidy explain {path}"},
    "none_binding": {"en": "No rule binds: every payable need is met.", "zh": "没有起约束作用的规则：所有可支付的需求均已满足。"},
    "largest": {"en": "Enterprises (the {shown} with the largest gaps of {count:,}; all in gaps.csv with --out, or --rows 0)",
                "zh": "企业（共 {count:,} 家，列出缺口最大的 {shown} 家；全部见 --out 的 gaps.csv，或用 --rows 0）"},
    "more_rules": {"en": "  … and {more:,} more (subsidy explain lists every rule)", "zh": "  ……另有 {more:,} 条（subsidy explain 列出全部规则）"},
})

EXPLAIN = Phrases({
    "headline": {
        "en": "{name}: total gap {gap} {unit} of {residual} {unit} residual need ({share:.1%}); weighted gap {wg:,.2f}; largest gap share {ms:.1%}.",
        "zh": "{name}：资金缺口合计 {gap} {unit}，占剩余需求 {residual} {unit} 的 {share:.1%}；加权缺口 {wg:,.2f}；最大缺口比例 {ms:.1%}。",
    },
    "budget_used": {
        "en": "{fund} budget ({bound}) is fully used; {effect}{less}.",
        "zh": "{fund}预算 {bound} {unit}已全部使用；{effect}{less}。",
    },
    "budget_binding_left": {
        "en": "{fund} budget ({bound}) has only {left} left, not enough to count as a whole {unit} more or less; {effect}{less}.",
        "zh": "{fund}预算 {bound} {unit}仅余 {left} {unit}，不足 1 {unit}；{effect}{less}。",
    },
    "budget_left": {
        "en": "{fund} budget has {left} of {bound} left: no line it may pay is still open, so more money there closes nothing.",
        "zh": "{fund}预算 {bound} {unit}尚余 {left} {unit}：其可支付的费用已无缺口，增加该资金不能减少缺口。",
    },
    "budget_left_capped": {
        "en": "{fund} budget has {left} of {bound} left: its caps stop it from paying the lines still open, so more money there closes nothing.",
        "zh": "{fund}预算 {bound} {unit}尚余 {left} {unit}：其上限限制了对仍有缺口费用的支付，增加该资金不能减少缺口。",
    },
    "budget_left_split": {
        "en": "{fund} budget has {left} of {bound} left: the factor method's amounts for the regions with open lines are used up, and what is left belongs to regions that cannot use it, so more money there closes nothing.",
        "zh": "{fund}预算 {bound} {unit}尚余 {left} {unit}：按因素法分给仍有缺口地区的额度已用完，结余属于用不完额度的地区，增加该资金不能减少缺口。",
    },
    "budget_left_matched": {
        "en": "{fund} budget has {left} of {bound} left: the co-funding its payments need (配套) is used up, so more money there closes nothing.",
        "zh": "{fund}预算 {bound} {unit}尚余 {left} {unit}：其支付所需的配套资金已用完，增加该资金不能减少缺口。",
    },
    "cap_enterprise": {
        "en": "cap_enterprise[{fund}, {enterprise}] binds at {bound}{terms}: {effect}{less}.",
        "zh": "{fund}对{enterprise}的单企业上限 {bound} {unit}{terms}起约束作用：{effect}{less}。",
    },
    "distribution": {
        "en": "distribution[{fund}, {enterprise}] binds at {bound} (what the factor method gives this region): {effect}{less}.",
        "zh": "{fund}按因素法分给{enterprise}的额度 {bound} {unit}起约束作用：{effect}{less}。",
    },
    "distribution_pool": {
        "en": "distribution_pool[{fund}] binds at {bound} (the part of the budget not tied to a region, which tops up any region): {effect}{less}.",
        "zh": "{fund}不分地区的部分 {bound} {unit}（可补充任一地区）起约束作用：{effect}{less}。",
    },
    "cap_terms": {"en": " ({terms})", "zh": "（{terms}）"},
    "cap_per_enterprise": {"en": "per_enterprise", "zh": "每户上限"},
    "cap_per_capacity": {"en": "per_capacity {rate} × {amount} {cunit}", "zh": "单位产能上限 {rate} × {amount} {cunit}"},
    "cap_per_worker": {"en": "per_worker {rate} × {workers} workers", "zh": "每人上限 {rate} × {workers} 人"},
    "cap_share": {
        "en": "cap_share[{fund}, {enterprise}, {category}] binds at {bound} (its share of the line's need): {effect}{less}.",
        "zh": "{fund}对{enterprise}{category}的比例上限 {bound} {unit}起约束作用：{effect}{less}。",
    },
    "own_funds": {
        "en": "{enterprise}'s own funds ({bound}) are fully used.",
        "zh": "{enterprise}的自有资金 {bound} {unit}已全部使用。",
    },
    "effect": {"en": "each {unit} of the first {up} {unit} more would reduce the weighted gap by {pw} and the gap by {pu} {unit} (beyond that, less)",
               "zh": "增加的前 {up} {unit}内，每增加 1 {unit}，加权缺口减少 {pw}，资金缺口减少 {pu} {unit}（超出部分作用更小）"},
    "no_effect": {"en": "one more {unit} alone would close nothing", "zh": "仅增加 1 {unit}不能减少缺口"},
    "less": {"en": "; each {unit} of the first {down} {unit} less would add {lw} to the weighted gap and {lu} {unit} to the gap",
             "zh": "；减少的前 {down} {unit}内，每减少 1 {unit}，加权缺口增加 {lw}，资金缺口增加 {lu} {unit}"},
    "less_impossible": {"en": "; one {unit} less would leave no allocation that keeps every commitment",
                        "zh": "；每减少 1 {unit}，已定事项将无法全部满足"},
    "no_gap": {"en": "No enterprise has a gap.", "zh": "所有企业均无资金缺口。"},
    "enterprise_gap": {
        "en": "{enterprise} has a gap of {gap} {unit} ({share:.1%} of its residual need): {lines}.",
        "zh": "{enterprise}资金缺口 {gap} {unit}（占其剩余需求 {share:.1%}）：{lines}。",
    },
    "line": {"en": "{category} {gap}, {why}", "zh": "{category} {gap} {unit}，{why}"},
    "category_not_payable": {"en": "no fund may pay this category", "zh": "没有任何资金可支付此类费用"},
    "no_eligible_fund": {"en": "the funds that pay it ({funds}) do not cover this enterprise", "zh": "可支付此类费用的资金（{funds}）不覆盖该企业"},
    "blocked": {"en": "because {blockers}", "zh": "原因：{blockers}"},
    "by_budget": {"en": "{fund} is used up", "zh": "{fund}已用完"},
    "by_cap_enterprise": {"en": "{fund}'s cap for this enterprise binds", "zh": "{fund}的单企业上限已满"},
    "by_cap_share": {"en": "{fund}'s share cap binds", "zh": "{fund}的比例上限已满"},
    "by_own_funds": {"en": "its own funds are used up", "zh": "自有资金已用完"},
    "by_distribution": {"en": "what the factor method gives its region of {fund} is used up", "zh": "{fund}按因素法分给其所在地区的额度已用完"},
    "by_distribution_pool": {"en": "so is the part of {fund} not tied to a region", "zh": "{fund}不分地区的部分也已用完"},
    "by_match": {"en": "the co-funding {fund} needs (配套) is used up", "zh": "{fund}所需的配套资金已用完"},
    "by_commitment": {"en": "a commitment caps what {fund} pays here", "zh": "已定事项限定了{fund}在此的支付"},
    "commitment": {
        "en": "{rule}{source} binds at {bound}: {effect}.",
        "zh": "已定事项 {rule}{source}在 {bound} {unit}起约束作用：{effect}。",
    },
    "coverage": {
        "en": "{rule} (minimum coverage {share} of the cost, own funds included) binds at {bound}: {effect}{range}.",
        "zh": "{rule}（自有资金与财政资金合计不低于费用的 {share}）在 {bound} {unit}起约束作用：{effect}{range}。",
    },
    "match": {
        "en": "{rule} (配套: {funds} pay at least {ratio} × what {fund} pays) binds: the matching funds pay {used}, {fund}'s payment asks {bound}; one {unit} of co-funding waived would reduce the weighted gap by {pw} (prices from the relaxation: matching makes the stages whole-fen MIPs).",
        "zh": "{rule}（配套：{funds}合计不低于{fund}支付额的 {ratio} 倍）起约束作用：配套资金支付 {used} {unit}，{fund}的支付要求配套 {bound} {unit}；每减免 1 {unit}配套，加权缺口减少 {pw}（价格取自线性松弛：配套规则使各阶段成为整数规划）。",
    },
    "coverage_range": {"en": ", at this rate for the first {up} {unit} more", "zh": "，此比率适用于增加的前 {up} {unit}"},
    "commit_saves": {"en": "one {unit} more of it would reduce the weighted gap by {pw}", "zh": "每增加 1 {unit}，加权缺口减少 {pw}"},
    "commit_costs": {"en": "one {unit} more of it would add {pw} to the weighted gap", "zh": "每增加 1 {unit}，加权缺口增加 {pw}"},
    "commit_impossible": {"en": "one {unit} more of it would leave no allocation that keeps every rule",
                          "zh": "再增加 1 {unit}，各项规则将无法同时满足"},
    "commit_free": {"en": "one {unit} more of it would change nothing", "zh": "增加 1 {unit}不影响缺口"},
    "by_unexplained": {"en": "{fund} could pay more but the allocation did not use it (please report this)", "zh": "{fund}尚可支付但未安排（请报告此问题）"},
    "rules_title": {"en": "Rules: budgets, and caps that bind", "zh": "规则：预算及起约束作用的上限"},
    "gaps_title": {"en": "Why each gap remains", "zh": "各项缺口的原因"},
    "sep": {"en": "; ", "zh": "；"},
    "and": {"en": ", ", "zh": "、"},
})

RULE_ZH = {"budget": "{fund}预算", "cap_enterprise": "{fund}对{enterprise}的单企业上限",
           "cap_share": "{fund}对{enterprise}{category}的比例上限", "own_funds": "{enterprise}的自有资金",
           "commitment": "{fund}对{enterprise}{category}的已定安排", "distribution": "{fund}按因素法分给{enterprise}的额度",
           "distribution_pool": "{fund}不分地区的部分", "coverage": "{enterprise}{category}的保底比例", "match": "{fund}对{enterprise}的配套"}
"""A rule in the Chinese tables, by its kind (a kind not listed here shows its id)."""

FIELD_ZH = {"budget": "预算", "caps": "", "per_capacity": "单位产能上限", "per_enterprise": "单企业上限", "per_worker": "每人上限",
            "share_of_need": "需求比例上限", "costs": "", "own_funds": "自有资金", "workers": "职工人数", "capacity": "产能",
            "categories": "可支付类别", "scope": "适用范围", "regions": "地区", "industries": "行业", "name": "名称",
            "distribution": "因素法", "level": "地区层级", "factors": "", "difficulty": "难度系数", "early_exit_weights": "提前退出系数",
            "exit_year": "退出年份", "match": "配套", "ratio": "比例", "funds": "资金"}
"""Parts of an input field's path in Chinese (a part not here: a category's label, else as written)."""

TABLE_ZH = {"rule_name": "规则", "rule_id": "规则代码", "enterprise_name": "企业名称", "enterprise_id": "企业代码",
            "fund_name": "资金名称", "fund_id": "资金代码", "pair_name": "资金 → 企业", "pair_id": "代码"}
"""Headers of the Chinese tables' name and id columns: names first, ids in a column of their own."""

CONFLICT = Phrases({
    "rules": {"en": "these rules cannot all be kept together (the smallest such set): {rules}",
              "zh": "以下规则无法同时满足（最小冲突集合）：{rules}"},
    "extra": {"en": "the least extra budget that would make them possible: {funds} ({total} {unit} in all)",
              "zh": "至少需要追加预算：{funds}（合计 {total} {unit}）"},
    "fund_extra": {"en": "{fund} +{amount}", "zh": "{fund} +{amount} {unit}"},
    "no_extra": {"en": "more budget alone cannot make them possible: a cap or a line's need is in the way",
                 "zh": "仅追加预算无法解决：有上限或费用需求的限制"},
})
"""`solve` ending with exit 3 because rules that ask for money (commitments, minimum coverage) conflict."""

REASON_ZH = {"category_not_payable": "无资金可支付该类别", "no_eligible_fund": "无适用资金", "funds_exhausted": "资金已用完",
             "cap_binds": "上限约束", "commitment_binds": "已定事项约束", "region_amount_binds": "因素法地区额度约束", "match_binds": "配套约束", "unexplained": "未能解释"}
"""Explain's gap reasons (codes joined by "+") in the Chinese table."""

CLOSE_GAP = Phrases({
    "now": {"en": "{name}: the total gap is {gap} {unit}. Of it, {unpayable} {unit} no fund may pay, {capped} {unit} is held by caps (no budget closes it), and {closable} {unit} more budget can close.",
            "zh": "{name}：资金缺口合计 {gap} {unit}。其中 {unpayable} {unit}无任何资金可支付，{capped} {unit}受上限限制（增加预算也无法弥补），{closable} {unit}可通过增加预算弥补。"},
    "goal_floor": {"en": "Goal: close all that budget can close (total gap {target} {unit}).", "zh": "目标：弥补所有可通过预算弥补的缺口（缺口降至 {target} {unit}）。"},
    "goal_target": {"en": "Goal: total gap at most {target} {unit}.", "zh": "目标：资金缺口不超过 {target} {unit}。"},
    "unreachable": {"en": "This target cannot be reached by adding budget: the smallest total gap any budget reaches is {floor} {unit}; the rest needs new categories, scopes or higher caps.",
                    "zh": "仅增加预算无法达到该目标：任何预算下资金缺口最少为 {floor} {unit}；其余部分需要调整资金可支付类别、适用范围或提高上限。"},
    "nothing": {"en": "No extra budget is needed: the gap is already at or below the target.", "zh": "无需追加预算：缺口已不高于目标。"},
    "least": {"en": "Least extra budget: {total} {unit} in total — {parts}. With it, `subsidy solve` gives a total gap of {after} {unit}{note}.",
              "zh": "最少追加预算合计 {total} {unit}——{parts}。追加后求解，资金缺口为 {after} {unit}{note}。"},
    "rounding": {"en": " ({d} {unit} above the target: rounding the allocation to whole fen loses it)",
                 "zh": "（比目标多 {d} {unit}：分配结果取整到分时损失）"},
    "impossible": {"en": "The funds allowed to grow cannot reach this target: the lines still open are ones no such fund may pay, or caps hold them.",
                   "zh": "允许追加的资金无法达到该目标：剩余缺口属于这些资金不能支付的费用，或受上限限制。"},
    "part": {"en": "{fund} +{extra}", "zh": "{fund}追加 {extra} {unit}"},
    "alone": {"en": "If only one fund grew: {parts}.", "zh": "若只追加一项资金：{parts}。"},
    "alone_part": {"en": "{fund} {extra}", "zh": "{fund} {extra} {unit}"},
    "alone_none": {"en": "{fund} cannot alone", "zh": "{fund}单独无法达到"},
    "no_category": {"en": "No fund may pay these categories at all: {cats}.", "zh": "以下费用类别没有任何资金可以支付：{cats}。"},
    "no_scope": {"en": "Funds pay these lines' categories but none covers the enterprise: {lines}.", "zh": "以下费用有资金可支付其类别，但资金适用范围不含该企业：{lines}。"},
    "caps": {"en": "Caps that hold money back even with unlimited budget (gap closed per extra {unit} of the cap): {caps}.",
             "zh": "即使预算不限仍起限制作用的上限（上限每提高 1 {unit}可弥补的缺口）：{caps}。"},
    "sep": {"en": ", ", "zh": "、"},
    "funds_title": {"en": "Funds", "zh": "资金"},
    "enterprises_title": {"en": "Enterprises", "zh": "企业"},
})

COMPARE = Phrases({
    "option": {"en": "{label} against {base}", "zh": "{label}与{base}相比"},
    "changes": {"en": ": {fields}", "zh": "：{fields}"},
    "added": {"en": "adds {field}", "zh": "新增 {field}"},
    "removed": {"en": "removes {field}", "zh": "删除 {field}"},
    "more": {"en": " and {n} more field(s)", "zh": "等 {n} 项"},
    "no_input": {"en": ": no input changes", "zh": "：输入未变"},
    "effect": {"en": "; the total gap goes from {a} to {b} {unit} ({d}{pct}), the weighted gap from {wa:,.2f} to {wb:,.2f} and the largest gap share from {sa:.1%} to {sb:.1%}",
               "zh": "；资金缺口由 {a} 变为 {b} {unit}（{d}{pct}），加权缺口由 {wa:,.2f} 变为 {wb:,.2f}，最大缺口比例由 {sa:.1%} 变为 {sb:.1%}"},
    "funds": {"en": "; fund use changes: {items}", "zh": "；资金使用变化：{items}"},
    "ents": {"en": "; gaps change most at {items}", "zh": "；缺口变化最大的企业：{items}"},
    "same": {"en": "; no enterprise's gap changes", "zh": "；各企业缺口均无变化"},
    "unfunded": {"en": ". It leaves unfunded what {base} funds: {items}", "zh": "。{base}已安排而本方案未安排的：{items}"},
    "unfunded_none": {"en": ". It leaves unfunded nothing that {base} funds", "zh": "。{base}已安排的，本方案都已安排"},
    "reverse": {"en": "; the reverse, it funds what {base} leaves unfunded: {items}", "zh": "；反之，本方案安排而{base}未安排的：{items}"},
    "reverse_none": {"en": "; it funds nothing that {base} leaves unfunded", "zh": "；{base}未安排的，本方案也未安排"},
    "moved_title": {"en": "Where money moved (fund → enterprise, all categories; Δ against {base})",
                    "zh": "资金去向变化（资金 → 企业，各类别合计；与{base}之差）"},
    "end": {"en": ".", "zh": "。"},
    "join": {"en": " ", "zh": ""},
    "sep": {"en": ", ", "zh": "、"},
    "totals_title": {"en": "Totals", "zh": "合计"},
    "enterprises_title": {"en": "Enterprises (gap; Δ against {base})", "zh": "企业（资金缺口；与{base}之差）"},
    "funds_title": {"en": "Funds (used; Δ against {base})", "zh": "资金（已使用；与{base}之差）"},
    "inputs_title": {"en": "Inputs that differ", "zh": "不同的输入"},
    # headers of the tables and CSVs beyond the contract's columns (English: the CSV keys)
    "h_field": {"en": "field", "zh": "字段"},
    "h_present": {"en": "present", "zh": "本方案含此项"},
    "h_delta": {"en": "d_{head}", "zh": "{head}与基准之差"},
    "yes": {"en": "True", "zh": "是"}, "no": {"en": "False", "zh": "否"},
    # inputs.csv: an enterprise or fund only some options have (analysis.compare.PRESENT)
    "present_cell": {"en": "(present)", "zh": "（本方案含此项）"},
})


WORKBOOK = Phrases({
    # sheets (Excel allows 31 characters and no []:*?/\)
    "summary": {"en": "Summary", "zh": "汇总"},
    "summary_title": {"en": "Summary", "zh": "资金安排汇总表"},
    "by_fund": {"en": "Allocation by fund", "zh": "资金分配表"},
    "gaps": {"en": "Gaps by category", "zh": "缺口表"},
    "fund_use": {"en": "Fund use", "zh": "资金使用表"},
    "distribution": {"en": "Factor method", "zh": "因素法分配表"},
    "capacity_weighted": {"en": "Capacity (early-exit weighted)", "zh": "淘汰产能（按提前退出系数折算）"},
    "workers": {"en": "Workers", "zh": "职工人数"},
    "difficulty": {"en": "Difficulty", "zh": "难度系数"},
    "factor_share": {"en": "Share", "zh": "分配比例"},
    "region_amount": {"en": "Amount", "zh": "分配额"},
    "pool_region": {"en": "(not tied to a region)", "zh": "（不分地区）"},
    "enterprises": {"en": "Enterprises", "zh": "企业情况表"},
    "allocations": {"en": "Allocations", "zh": "分配明细"},
    "notes": {"en": "Notes", "zh": "说明"},
    "technical": {"en": "Technical details", "zh": "技术说明"},
    # the lines above every table
    "title": {"en": "{name}: {table}", "zh": "{name} {table}"},
    "issuer": {"en": "Prepared by: {who}", "zh": "编制单位：{who}"},
    "unit": {"en": "Unit: {unit}", "zh": "单位：{unit}"},
    "date": {"en": "Date: {date:%Y-%m-%d}", "zh": "日期：{date.year}年{date.month}月{date.day}日"},
    "footer": {"en": "&CPage &P of &N", "zh": "&C第 &P 页，共 &N 页"},
    # headers
    "no": {"en": "No.", "zh": "序号"},
    "ent_name": {"en": "Enterprise", "zh": "企业名称"},
    "ent_id": {"en": "Id", "zh": "企业代码"},
    "fund_name": {"en": "Fund", "zh": "资金名称"},
    "fund_id": {"en": "Id", "zh": "资金代码"},
    "region": {"en": "Region", "zh": "地区"},
    "industry": {"en": "Industry", "zh": "行业"},
    "level": {"en": "Level", "zh": "资金层级"},
    "need": {"en": "Need", "zh": "资金需求"},
    "own_funds": {"en": "Own funds", "zh": "自有资金"},
    "residual_need": {"en": "Need after own funds", "zh": "剩余需求"},
    "funded": {"en": "Funded", "zh": "已安排资金"},
    "gap": {"en": "Gap", "zh": "资金缺口"},
    "gap_share": {"en": "Gap share", "zh": "缺口比例"},
    "budget": {"en": "Budget", "zh": "预算"},
    "used": {"en": "Used", "zh": "已使用"},
    "left": {"en": "Left", "zh": "结余"},
    "used_share": {"en": "Share used", "zh": "使用率"},
    "total": {"en": "Total", "zh": "合计"},
    "item": {"en": "Item", "zh": "项目"},
    "unit_head": {"en": "Unit", "zh": "单位"},
    "value": {"en": "Value", "zh": "数值"},
    "kind": {"en": "Kind", "zh": "类型"},
    "subject": {"en": "About", "zh": "名称"},
    "text": {"en": "Rule or assumption", "zh": "内容"},
    "source": {"en": "Source", "zh": "来源"},
    # the summary's items
    "enterprise_count": {"en": "Enterprises", "zh": "企业数（家）"},
    "total_need": {"en": "Total need", "zh": "资金需求合计"},
    "total_own_funds": {"en": "Total own funds", "zh": "自有资金合计"},
    "total_residual": {"en": "Total need after own funds", "zh": "剩余需求合计"},
    "total_funded": {"en": "Total funded", "zh": "已安排资金合计"},
    "total_gap": {"en": "Total gap", "zh": "资金缺口合计"},
    "total_budget": {"en": "Total budget", "zh": "资金预算合计"},
    "total_left": {"en": "Budget left", "zh": "资金结余合计"},
    "max_share": {"en": "Largest gap share of an enterprise", "zh": "单户最大缺口比例"},
    # levels
    "central": {"en": "central", "zh": "中央"}, "provincial": {"en": "provincial", "zh": "省级"},
    "municipal": {"en": "municipal", "zh": "市级"}, "county": {"en": "county", "zh": "县级"}, "other": {"en": "other", "zh": "其他"},
    # notes: kinds
    "k_policy": {"en": "Principle", "zh": "分配原则"},
    "k_category": {"en": "Cost category", "zh": "费用类别"},
    "k_fund": {"en": "Fund", "zh": "资金"},
    "k_assumption": {"en": "Assumption", "zh": "测算假设"},
    "k_enterprise": {"en": "Enterprise data", "zh": "企业数据"},
    "k_cost": {"en": "Cost line", "zh": "费用数据"},
    # notes: the rules in plain words
    "own_statutory": {"en": "Each enterprise's own funds (asset sales and the like) pay its costs first, in the order of the Enterprise Bankruptcy Law: closure costs, then worker claims, then social insurance, then other debts.",
                      "zh": "企业自有资金（资产变现等）首先按《企业破产法》规定的清偿顺序抵付本企业费用：先关闭费用，再职工债权，再社会保险，最后其他债务。"},
    "own_proportional": {"en": "An enterprise marked 'proportional' spreads its own funds over its costs in proportion to each.", "zh": "标明“按比例”的企业，其自有资金按各项费用的比例分摊。"},
    "own_free": {"en": "An enterprise marked 'free' spends its own funds wherever they close the most gap.", "zh": "标明“自由”的企业，其自有资金用于最能减少缺口的费用。"},
    "priority": {"en": "The funds then pay the remaining need, the categories with the higher priority first (priority shown per category below).",
                 "zh": "各项资金再安排剩余需求，优先安排优先级高的费用类别（各类别的优先级见下）。"},
    "fair": {"en": "Among enterprises, the money is spread so that the largest share of need left unfunded is as small as it can be.",
             "zh": "在各企业之间，使单户最大缺口比例尽可能小，资金分配尽量均衡。"},
    "unfair": {"en": "The money is not spread further among enterprises once the priorities are met (fairness: false).",
               "zh": "满足优先顺序后，不再在企业之间均衡分配（fairness: false）。"},
    "coverage_rule": {"en": "Minimum coverage: on each {label} line, own funds and public money together reach at least {share:g} of the cost.",
                      "zh": "保底比例：每项{label}的自有资金与财政资金合计不低于费用的 {share:g}。"},
    "blank": {"en": "In the gaps table a blank cell means the enterprise has no such cost; 0 means the cost is fully paid.",
              "zh": "缺口表中空白表示该企业无此项费用，0 表示该项费用已全部安排。"},
    "exact": {"en": "Amounts are exact to 0.01 {unit}; every total is the sum of the rows above it.",
              "zh": "金额精确到 0.01 {unit}；各合计数为所列各行之和。"},
    "category_rule": {"en": "{label}: priority {weight:g}; paid from own funds in turn {klass}.", "zh": "{label}：优先级 {weight:g}；自有资金抵付顺序第 {klass} 位。"},
    "category_never": {"en": "{label}: priority 0, no fund money goes to it before all else is paid.", "zh": "{label}：优先级 0，其他费用安排完毕前不安排资金。"},
    "fund_rule": {"en": "Budget {budget} {unit}; may pay {cats}{scope}{caps}.", "zh": "预算 {budget} {unit}；可支付{cats}{scope}{caps}。"},
    "scope_regions": {"en": "; only in {items}", "zh": "；仅限{items}"},
    "scope_industries": {"en": "; only for the {items} industry", "zh": "；仅限{items}行业"},
    "scope_enterprises": {"en": "; only to {items}", "zh": "；仅限{items}"},
    "cap_enterprise": {"en": "; at most {amount} {unit} per enterprise", "zh": "；每户不超过 {amount} {unit}"},
    "cap_capacity": {"en": "; in {industry} at most {rate} {unit} per {cunit} of capacity closed", "zh": "；{industry}行业按淘汰产能每{cunit}不超过 {rate} {unit}"},
    "cap_share": {"en": "; at most {share:.0%} of each cost line", "zh": "；不超过每项费用的 {share:.0%}"},
    "assumption": {"en": "{text}: {value}", "zh": "{text}：{value}"},
    "list_sep": {"en": ", ", "zh": "、"},
    # technical details (jargon allowed here, and only here)
    "t_method": {"en": "Method", "zh": "求解方法"},
    "t_note": {"en": "Why this method", "zh": "方法说明"},
    "t_solver": {"en": "Solver", "zh": "求解器"},
    "t_stage1": {"en": "Stage 1 objective (weighted gap)", "zh": "第一阶段目标值（加权缺口）"},
    "t_stage2": {"en": "Stage 2 objective (largest gap share)", "zh": "第二阶段目标值（最大缺口比例）"},
    "t_sha": {"en": "Scenario file SHA-256", "zh": "方案文件 SHA-256"},
    "t_version": {"en": "subsidy version", "zh": "subsidy 版本"},
    "t_price": {"en": "Shadow price of {fund} (weighted gap saved per extra {unit})", "zh": "{fund}影子价格（每增加 1 {unit}减少的加权缺口）"},
})


CHECK = Phrases({
    "valid": {"en": "{path}: valid: {enterprises:,} enterprises, {lines:,} cost lines, {funds:,} funds",
              "zh": "{path}：有效：{enterprises:,} 家企业，{lines:,} 条费用，{funds:,} 项资金"},
    "valid_warned": {"en": "{path}: valid, with {warnings:,} warning(s) above to read before solving: {enterprises:,} enterprises, {lines:,} cost lines, {funds:,} funds",
                     "zh": "{path}：格式有效，但有上述 {warnings:,} 条警告，求解前请逐条核对：{enterprises:,} 家企业，{lines:,} 条费用，{funds:,} 项资金"},
    "violations": {"en": "{table}: {count:,} violation(s) of {scenario} ({checked} checked)",
                   "zh": "{table}：违反 {scenario} 的规则 {count:,} 处（已核对 {checked}）"},
    "kept": {"en": "{table}: ok: {rows:,} row(s) keep every rule of {scenario} ({checked} checked)",
             "zh": "{table}：通过：{rows:,} 行均符合 {scenario} 的全部规则（已核对 {checked}）"},
    "swept": {"en": "wrote {out} ({points:,} points; {how})", "zh": "已写入 {out}（{points:,} 个点；{how}）"},
    "wrote": {"en": "wrote {files}", "zh": "已写入 {files}"},
    "to_the_fen": {"en": "note: {field} is an amount, kept in whole fen (0.01): the points of {range} are rounded half up to the fen: {points}",
                   "zh": "注意：{field} 为金额，以分（0.01）为单位：{range} 的各点已四舍五入到分：{points}"},
    "as_flows": {"en": "{n:,} solved as flows", "zh": "{n:,} 个按整数网络流求解"},
    "by_lp": {"en": "{n:,} by the LP: {builds:,} solver model(s) built, the rest reused",
              "zh": "{n:,} 个按线性规划求解：建立求解模型 {builds:,} 个，其余复用"},
    "fallbacks": {"en": "{n:,} solved by PuLP where the reused HiGHS model failed (column fallback)",
                  "zh": "{n:,} 个因复用的 HiGHS 模型求解失败改由 PuLP 求解（见 fallback 列）"},
    "fallback": {"en": "solved by PuLP: the reused HiGHS model failed ({failure})",
                 "zh": "改由 PuLP 求解：复用的 HiGHS 模型求解失败（{failure}）"},
})


class Names:
    """Ids in English sentences and tables, the scenario's own (Chinese) names in Chinese ones (explain, close-gap)."""

    def __init__(self, scenario: Scenario, lang: Lang):
        self.lang = lang
        self.funds = {f.id: f.name for f in scenario.funds}
        self.enterprises = {e.id: e.name for e in scenario.enterprises}
        self.categories = {c: cat.label_zh or c for c, cat in scenario.category_table.items()}

    def fund(self, fid: str) -> str:
        return self.funds.get(fid, fid) if self.lang == "zh" else fid

    def enterprise(self, eid: str) -> str:
        if self.lang == "zh":
            return self.enterprises.get(eid, eid)
        return f"{eid} ({self.enterprises[eid]})" if eid in self.enterprises else eid

    def category(self, cat: str) -> str:
        return self.categories.get(cat, cat) if self.lang == "zh" else cat

    def rule(self, kind: str, rule_id: str, fund: str | None, enterprise: str | None, category: str | None) -> str:
        """A rule in words (Chinese: "中央财政…预算"); its id where there are no words for its kind."""
        if self.lang != "zh" or kind not in RULE_ZH:
            return rule_id
        return RULE_ZH[kind].format(fund=self.fund(fund) if fund else "", enterprise=self.enterprise(enterprise) if enterprise else "",
                                    category=self.category(category) if category else "")

    def field(self, path: str) -> str:
        """An input field by its overlay path (`funds.central_reward.budget`): in Chinese the fund's
        or enterprise's name and the field in words (compare's list of what an option changes)."""
        parts = path.split(".")
        if self.lang == "zh" and parts[:2] == ["policy", "minimum_coverage"] and len(parts) == 3:
            return f"保底比例·{self.categories.get(parts[2], parts[2])}"
        if self.lang != "zh" or len(parts) < 2 or parts[0] not in ("funds", "enterprises"):
            return path
        head = self.fund(parts[1]) if parts[0] == "funds" else self.enterprise(parts[1])
        tail = [FIELD_ZH.get(p, self.categories.get(p, p)) for p in parts[2:]]
        return " ".join([head, "·".join(t for t in tail if t)]).strip()

    def rule_id(self, rule_id: str) -> str:
        """A rule in words from its id alone (`cap_enterprise[central_reward,wenquan]`), where a
        table holds only the id (close-gap's caps)."""
        kind, args = parse_rule(rule_id)
        fund = enterprise = category = None
        if kind == "own_funds" and args:
            enterprise = args[0]
        elif kind == "coverage" and len(args) == 2:
            enterprise, category = args
        elif args:
            fund, enterprise, category = (args + [None, None])[:3]
        return self.rule(kind, rule_id, fund, enterprise, category)


PROGRAMME = Phrases({
    "title": {"en": "{name}: solved over {first}-{last} ({solver}), amounts in {unit}",
              "zh": "{name}：{first}—{last} 年度已求解（{solver}），金额单位 {unit}"},
    "stages": {"en": "Stage 1 weighted gap at the end {wg:,.2f}   Timing: weighted arrears over the years {wa:,.2f}   Largest gap share {share:.2%}",
               "zh": "第一阶段 期末加权缺口 {wg:,.2f}   时序阶段 各年加权欠付合计 {wa:,.2f}   最大缺口比例 {share:.2%}"},
    "arrears": {"en": "Arrears by enterprise and year (due by the year's end, not yet paid)",
                "zh": "各企业分年度欠付（截至当年末应付未付）"},
    "largest": {"en": "Arrears of the {shown} enterprises with the largest gap (of {count})",
                "zh": "缺口最大的 {shown} 户企业的欠付（共 {count} 户）"},
    "funds": {"en": "Funds by year", "zh": "各资金分年度使用"},
    "total": {"en": "Total", "zh": "合计"},
    # the result workbook of a programme (output/programme_xlsx.py): sheet names (≤ 31 characters)
    "sheet_arrears": {"en": "Arrears by year", "zh": "分年度欠付表"},
    "sheet_paid": {"en": "Funded by year", "zh": "分年度拨付表"},
    "sheet_funds": {"en": "Funds by year", "zh": "分年度资金表"},
    "sheet_allocations": {"en": "Allocations", "zh": "分配明细"},
    "fund_name": {"en": "Fund", "zh": "资金名称"},
    "fund_id": {"en": "Id", "zh": "资金代码"},
    # `subsidy settle` (清算)
    "settle_title": {"en": "Settlement of {year} (清算): paid in {year}, to recover, still owed in the later years",
                     "zh": "{year} 年度清算：{year} 年已拨付、应收回、以后年度仍应拨付"},
    "overdrawn": {"en": "{fund} paid {amount} more in {year} than its actual money covers",
                  "zh": "{fund} 在 {year} 年的拨付超出实际到位资金 {amount}"},
    "resolved": {"en": "The rest of the programme, solved again:", "zh": "其余年度重新求解："},
    # `subsidy report --html` on a programme (output/programme_report.py)
    "chart_title": {"en": "Arrears at the end of each year (due and not yet paid)", "zh": "各年末欠付（应付未付）"},
    "chart_others": {"en": "other enterprises", "zh": "其他企业"},
    "table_title": {"en": "Arrears by enterprise and year", "zh": "各企业分年度欠付"},
    # The timing stage's objective in words a clerk reads (not 各年加权欠付合计), with what it means.
    "weighted_arrears": {"en": "Arrears at each year's end, weighted, summed", "zh": "各年末欠付（按权重）合计"},
    "weighted_arrears_note": {
        "en": "Arrears at each year's end, weighted, summed: each year's unpaid amounts due times their cost category's "
              "weight (by default resettlement 3, bank debt 1, operating loss 0), added over the years; kept as small as "
              "the smallest final gap allows, so the heaviest costs are paid first.",
        "zh": "各年末欠付（按权重）合计：每年末应付未付金额乘以费用类别权重（默认职工安置费 3、银行债务 1、经营亏损 0）"
              "后各年相加；在期末缺口最小的前提下使其最小，即权重高的费用尽早拨付。"},
    "lapsed": {"en": "Lapsed (funds without carry-over)", "zh": "收回（不结转资金）"},
    # `subsidy compare` on programmes (output/programme_compare.py)
    "cmp_title": {"en": "Options over {first}-{last} against {base} (amounts in {unit})", "zh": "{first}—{last} 年各方案与{base}对比（金额单位 {unit}）"},
    "cmp_measure": {"en": "measure", "zh": "指标"},
    "cmp_weighted_gap": {"en": "Weighted gap at the end", "zh": "期末加权缺口"},
    "cmp_total_gap": {"en": "Total gap at the end", "zh": "期末资金缺口"},
    "cmp_weighted_arrears": {"en": "Arrears at each year's end, weighted, summed", "zh": "各年末欠付（按权重）合计"},
    "cmp_arrears_year": {"en": "Arrears at the end of {year}", "zh": "{year} 年末欠付"},
    "cmp_moved": {"en": "Public money paid per enterprise and year, where an option differs from {base} (all funds and categories)",
                  "zh": "各企业分年度拨付（各资金、各类别合计），仅列与{base}不同的"},
    "cmp_not_moved": {"en": "Every option pays each enterprise the same public money each year as {base}.",
                      "zh": "各方案每年拨付各企业的财政资金均与{base}相同。"},
    # explain, close-gap, sweep and risk on a programme (cli._one_year_only): why not, and what to do instead
    "one_year_only": {"en": "{path}: {command} takes a one-year scenario, and this is a programme over {first}-{last} (years:): {why}. {todo}",
                      "zh": "{path}：{command} 仅适用于单一年度方案，本方案为 {first}—{last} 年跨年度方案（years）：{why}。{todo}"},
    "why_explain": {"en": "its reasons and prices are those of one year's rules; a programme's tranches, carry-over and timing stage have none yet",
                    "zh": "其原因和影子价格针对单一年度的规则，跨年度的分年度到账、结转和时序阶段尚无此分析"},
    "why_close-gap": {"en": "extra budget over several years needs to say in which year it arrives, which close-gap cannot yet ask",
                      "zh": "跨年度追加预算须说明在哪一年到位，close-gap 目前无法处理"},
    "why_sweep": {"en": "a sweep solves each point as one year",
                  "zh": "参数扫描按单一年度求解每个取值点"},
    "why_risk": {"en": "the draws are solved as one year",
                 "zh": "随机抽样按单一年度求解"},
    "todo_explain": {"en": "Use `subsidy solve` for the arrears and payments by year, or write one year as a one-year scenario (no years:) and explain that.",
                     "zh": "请用 subsidy solve 查看分年度欠付和拨付，或将某一年写成单一年度方案（不写 years）后再用 explain。"},
    "todo_close-gap": {"en": "Add a tranche in an option file and set it beside the programme with `subsidy compare`, or run close-gap on one year written as a one-year scenario (no years:).",
                       "zh": "请在方案文件中增加一笔分年度到账，用 subsidy compare 与原方案对比；或将某一年写成单一年度方案（不写 years）后再用 close-gap。"},
    "todo_sweep": {"en": "Write each value as an option file and set them side by side with `subsidy compare`.",
                   "zh": "请将每个取值写成一个方案文件，用 subsidy compare 对比。"},
    "todo_risk": {"en": "Solve the expected amounts with `subsidy solve`, and the low and high ends as option files set side by side with `subsidy compare`.",
                  "zh": "请用 subsidy solve 按期望值求解，并将低值、高值各写成方案文件，用 subsidy compare 对比。"},
})
"""`subsidy solve` on a programme over several years: stage values, arrears by year, funds by year."""
