"""The verifier's sentences, in English and Chinese: what `subsidy verify` says a table breaks.

A clerk checks a table she changed by hand, in the scenario's language (`--lang`); each rule
broken is named by its rule code (budget[f], the same in both languages) and said in words from
this table. Amounts are already formatted (`_money`); ids and categories are shown as written.
"""

from __future__ import annotations

from subsidy.scenario.labels import Phrases

VERIFY = Phrases({
    # scope
    "scope_enterprise": {"en": "enterprise {ent} is not among the fund's enterprises ({listed})",
                         "zh": "企业 {ent} 不在该资金列明的企业（{listed}）之中"},
    "scope_industry": {"en": "industry {industry} is outside the fund's industries ({listed})",
                       "zh": "行业 {industry} 不在该资金的行业范围（{listed}）之内"},
    "scope_region": {"en": "region {region} is outside the fund's regions ({listed})",
                     "zh": "地区 {region} 不在该资金的地区范围（{listed}）之内"},
    # own funds
    "waterfall_sum": {"en": "own funds applied {applied} + unused {unused} ≠ own funds {total}",
                      "zh": "已抵扣自有资金 {applied} + 未用 {unused} ≠ 自有资金 {total}"},
    "waterfall_line": {"en": "{cat}: own funds {applied} + residual {residual} ≠ cost {cost}",
                       "zh": "{cat}：自有资金 {applied} + 剩余需求 {residual} ≠ 费用 {cost}"},
    "waterfall_free": {"en": "own funds applied before the LP under the free rule",
                       "zh": "free 规则下自有资金不应在分配之前抵扣"},
    "waterfall_order": {"en": "class {k} got own funds {paid} while an earlier class was not paid in full",
                        "zh": "第 {k} 类得到自有资金 {paid}，而更靠前的类别尚未付清"},
    "waterfall_pro_rata": {"en": "{cat}: own funds {applied} are not pro rata within class {k}",
                           "zh": "{cat}：自有资金 {applied} 未在第 {k} 类内按比例分摊"},
    "waterfall_unused": {"en": "own funds {unused} left unused while a cost line is unpaid",
                         "zh": "尚有费用未付清，自有资金却有 {unused} 未用"},
    "own_over": {"en": "own funds used {used} exceed the enterprise's own funds {available} by {over}",
                 "zh": "已用自有资金 {used} 超过企业自有资金 {available}，超出 {over}"},
    "own_rule": {"en": "own funds on {cat}: the table has {have}, the {by} rule applies {applies}",
                 "zh": "{cat} 的自有资金：表中为 {have}，按 {by} 规则应为 {applies}"},
    # rows that may not exist
    "bad_amount": {"en": "{text}", "zh": "{text_zh}"},
    "no_fund": {"en": "no fund {fund} in the scenario", "zh": "方案中没有资金 {fund}"},
    # a programme over several years (verify_years)
    "year_not_eligible": {"en": "{paid} in {year}: this fund may not pay this line in that year",
                          "zh": "{year} 年支付 {paid}：该资金当年不得支付此项费用"},
    "year_arrived": {"en": "paid {paid}, arrived {arrived}", "zh": "已支付 {paid}，到位仅 {arrived}"},
    "year_total_row": {"en": "the total row does not sum the line's years", "zh": "合计行不等于该项费用各年之和"},
    "year_due_differs": {"en": "the table says {table} falls due, the scenario {want}", "zh": "表中应付 {table}，方案为 {want}"},
    "year_funded_differs": {"en": "funded {funded}, the allocations sum to {paid}", "zh": "已分配 {funded}，分配明细合计 {paid}"},
    "year_paid_ahead": {"en": "own funds and funds paid {paid} by {year}, only {due} was due",
                        "zh": "截至 {year} 年自有资金与财政资金已付 {paid}，而应付仅 {due}"},
    "year_arrears_differs": {"en": "the table says {table}, due less paid is {want}", "zh": "表中为 {table}，应付减已付为 {want}"},
    "year_own_ahead": {"en": "applied {applied} by {year}, arrived {arrived}", "zh": "截至 {year} 年已抵扣 {applied}，到位仅 {arrived}"},
    "year_summary_differs": {"en": "{summary} ≠ the tables' {tables}", "zh": "{summary} ≠ 表中的 {tables}"},
    "year_no_total": {"en": "{n} line(s) have no total row", "zh": "有 {n} 项费用没有合计行"},
    # minimum coverage (policy.minimum_coverage)
    "coverage_short": {"en": "own funds + funded {have}, minimum coverage {share} × cost {cost} = {least} (short by {short})",
                       "zh": "自有资金 + 已分配 {have}，保底比例 {share} × 费用 {cost} = {least}（差 {short}）"},
    # 配套 matching (funds[].match)
    "match_short": {"en": "the matching funds pay {got}, ratio {ratio} × this fund's {paid} asks {least} (short by {short})",
                    "zh": "配套资金支付 {got}，配套比例 {ratio} × 本资金支付 {paid} 要求 {least}（差 {short}）"},
    # the factor method (verify_distribution)
    "distribution_over": {"en": "pays the region's enterprises {paid}, the factor method gives the region {amount} (over by {over})",
                          "zh": "支付该地区企业 {paid}，因素法分给该地区 {amount}（超出 {over}）"},
    "distribution_pool_over": {"en": "pays regions {regions} {above} beyond the factor method's amounts, the part not split by region is {pool} (over by {over})",
                               "zh": "地区 {regions} 超出因素法分配额共 {above}，不分地区部分为 {pool}（超出 {over}）"},
    "no_enterprise": {"en": "no enterprise {ent} in the scenario", "zh": "方案中没有企业 {ent}"},
    "no_line": {"en": "enterprise {ent} has no cost line {cat}", "zh": "企业 {ent} 没有费用项目 {cat}"},
    "not_payable": {"en": "fund {fund} may not pay {cat} (it pays {paid})", "zh": "资金 {fund} 不能支付 {cat}（它可支付：{paid}）"},
    "not_payable_any": {"en": "fund {fund} may not pay {cat} (it pays nothing)", "zh": "资金 {fund} 不能支付 {cat}（它不支付任何类别）"},
    # bounds
    "budget_over": {"en": "allocated {got}, budget {bound} (over by {over})", "zh": "已分配 {got}，预算 {bound}（超出 {over}）"},
    "cap_over": {"en": "allocated {got}, cap {bound} (over by {over})", "zh": "已分配 {got}，上限 {bound}（超出 {over}）"},
    "share_over": {"en": "allocated {got}, {share} of the residual need {base} is {bound} (over by {over})",
                   "zh": "已分配 {got}，剩余需求 {base} 的 {share} 为 {bound}（超出 {over}）"},
    "need_over": {"en": "funded {got}, residual need {need} (cost {cost} − own funds {own}; over by {over})",
                  "zh": "已资助 {got}，剩余需求 {need}（费用 {cost} − 自有资金 {own}；超出 {over}）"},
    "total_row": {"en": "the total row says {total}, the rows add up to {rows}", "zh": "合计行为 {total}，各行相加为 {rows}"},
    "commit_short": {"en": "allocated {got}, committed {bound} (short by {short})", "zh": "已分配 {got}，已定 {bound}（少 {short}）"},
    "commit_short_least": {"en": "allocated {got}, committed at least {bound} (short by {short})",
                           "zh": "已分配 {got}，已定至少 {bound}（少 {short}）"},
    "commit_over": {"en": "allocated {got}, committed {bound} (over by {over})", "zh": "已分配 {got}，已定 {bound}（超出 {over}）"},
    "commit_over_most": {"en": "allocated {got}, committed at most {bound} (over by {over})",
                         "zh": "已分配 {got}，已定至多 {bound}（超出 {over}）"},
    # the other tables beside the allocations
    "reconcile_differs": {"en": "{what} is {shown}, the allocations give {expected}", "zh": "{what_zh}为 {shown}，按分配表应为 {expected}"},
    "reconcile_bad": {"en": "{what}: {text}", "zh": "{what_zh}：{text_zh}"},
    "not_a_line": {"en": "a line that is not a cost line of the scenario", "zh": "该行不是方案中的费用项目"},
    "line_missing": {"en": "cost line missing from the gaps table", "zh": "缺口表中缺少该费用项目"},
    "not_a_fund": {"en": "not a fund of the scenario", "zh": "不是方案中的资金"},
    "fund_missing": {"en": "fund missing from the funds table", "zh": "资金表中缺少该资金"},
    "summary_missing": {"en": "missing from the summary", "zh": "汇总（summary.json）中缺少此项"},
    "summary_not_number": {"en": "{shown} is not a number", "zh": "{shown} 不是数字"},
})

WHAT_ZH = {"need": "需求", "own_funds": "自有资金", "funded": "已资助", "gap": "缺口", "budget": "预算", "used": "已用",
           "left": "剩余", "total_need": "需求合计", "total_own_funds": "自有资金合计", "total_funded": "资助合计", "total_gap": "缺口合计"}
"""The Chinese word for each column or summary field a reconciling sentence names."""
