"""Every word of the workbench's pages, in Chinese and English (the templates hold none of their
own). `t(lang)` gives the table for a page; `field_label` names a field of the record (as the
store keeps it: `funds[hb].budget`, ids and English keys, as the CSV export gives it) in the
page's language, and `category_names` a scenario's cost categories."""

from __future__ import annotations

import json
import re

from subsidy.scenario.model import DEFAULT_CATEGORIES

WORDS: dict[str, tuple[str, str]] = {  # key: (中文, English)
    "title": ("淘汰落后产能奖励资金 工作台", "Capacity-closure funds workbench"),
    "login": ("登录", "Sign in"), "logout": ("退出", "Sign out"),
    "user": ("用户名", "User name"), "password": ("密码", "Password"),
    "bad_login": ("用户名或密码不对", "Wrong user name or password"),
    "scenarios": ("方案", "Scenarios"), "upload": ("上传方案 (YAML / JSON / XLSX)", "Upload a scenario (YAML / JSON / XLSX)"),
    "template": ("下载填报模板 (Excel)", "Download the input template (Excel)"),
    "name": ("名称", "Name"), "latest": ("最新版本", "Latest version"), "created_by": ("创建人", "Created by"),
    "versions": ("版本", "Versions"), "version": ("版本", "Version"), "status": ("状态", "Status"),
    "draft": ("草稿", "draft"), "submitted": ("已报送", "submitted"), "approved": ("已批准", "approved"),
    "enterprises": ("企业", "Enterprises"), "funds": ("资金", "Funds"),
    "id": ("代码", "Code"), "region": ("地区", "Region"), "industry": ("行业", "Industry"), "workers": ("职工人数", "Workers"),
    "own_funds": ("自有资金", "Own funds"), "budget": ("预算", "Budget"), "cap": ("每户上限", "Cap per enterprise"),
    "level": ("层级", "Level"), "save": ("保存为新版本", "Save as a new version"),
    "saved": ("已保存为版本", "Saved as version"), "submit": ("报送", "Submit"), "solve": ("测算分配", "Allocate"),
    "approve": ("批准 (冻结此版本)", "Approve (freezes this version)"),
    "problems": ("需要修改的问题", "Problems to fix"), "valid": ("数据通过校验", "The data passes every check"),
    "conflict": ("保存冲突", "Save conflict"), "record": ("操作记录", "Record"), "export_csv": ("导出 CSV", "Export CSV"),
    "at": ("时间", "When"), "who": ("操作人", "Who"), "action": ("操作", "Action"), "field": ("字段", "Field"),
    "old": ("原值", "Old"), "new": ("新值", "New"), "detail": ("详情", "Detail"),
    "result": ("分配结果", "Allocation"), "total_gap": ("资金缺口合计", "Total gap"), "gap": ("缺口", "Gap"),
    "need": ("需求", "Need"), "funded": ("已安排", "Funded"), "used": ("已用", "Used"), "left": ("结余", "Left"),
    "gap_share": ("缺口占比", "Gap share"), "files": ("下载结果文件", "Result files"),
    "explain": ("为什么有缺口", "Why the gap remains"), "close_gap": ("补足缺口需要", "What closes the gap"),
    "whatif": ("假设分析: 改预算、上限和承诺, 立即看缺口", "What-if: change budgets, caps and commitments, see the gap at once"),
    "recompute": ("重新测算", "Recompute"), "whatif_gap": ("假设下的缺口", "Gap under the what-if"),
    "solves": ("测算记录", "Solves"), "sha": ("方案 sha256", "Scenario sha256"), "tool": ("工具版本", "Tool version"),
    "solver": ("求解器", "Solver"), "commitments": ("已批准的承诺 (commitments)", "Approved commitments"),
    "amount": ("金额", "Amount"), "fund": ("资金", "Fund"), "enterprise": ("企业", "Enterprise"), "category": ("类别", "Category"),
    "source": ("来源", "Source"), "read_only": ("只读", "read only"), "forbidden": ("无权访问", "Not allowed"),
    "not_found": ("没有这个页面", "No such page"), "error": ("出错了", "Something went wrong"),
    "bad_request": ("请求无效", "Bad request"), "too_large": ("文件太大", "File too large"),
    "back": ("返回", "Back"), "other_lang": ("English", "中文"), "unit": ("单位", "Unit"),
    "upload_refused": ("上传未接受", "Upload refused"), "no_scenarios": ("还没有方案", "No scenarios yet"),
    "view_version": ("查看", "View"), "role": ("角色", "Role"),
    "variant": ("另存为方案变体", "Save as a variant"), "compare": ("方案比较", "Compare"),
    "carried": ("本次测算带入的承诺 (已批准的分配等)", "Commitments this solve carried (approved allocations and others)"),
    "carried_whatif": ("带入的承诺", "Commitments carried"), "bound": ("约束", "Bound"),
    "approved_here": ("此版本批准后的分配, 作为以后测算的承诺", "This version's approved allocation, carried by later solves"),
    "regional": ("只显示您所辖地区的企业及其合计:", "Only the enterprises of your regions, and their totals:"),
    "your_regions": ("您所辖地区", "your regions"), "paid_yours": ("支付给您所辖企业", "Paid to your enterprises"),
    "whatif_commitments": ("承诺: 勾选以移除本版本的承诺, 或填写一行以添加 (已批准的承诺照旧带入)",
                           "Commitments: tick to remove one of this version's, fill a row to add one (approved ones are carried regardless)"),
    "kind_amount": ("等于", "exactly"), "kind_at_least": ("不少于", "at least"), "kind_at_most": ("不超过", "at most"),
    "remove": ("移除", "remove"), "all_categories": ("(全部类别)", "(all categories)"),
    "act_upload": ("上传", "upload"), "act_edit": ("修改", "edit"), "act_submit": ("报送", "submit"), "act_solve": ("测算", "solve"),
    "act_approve": ("批准", "approve"), "act_variant": ("方案变体", "variant"), "act_user": ("用户", "user"),
    "doc_close_gap_json": ("补足缺口需要", "What closes the gap"), "doc_explain_json": ("为什么有缺口", "Why the gap remains"),
    "doc_result_xlsx": ("正式结果工作簿", "The formal workbook"), "doc_report_html": ("图表报告", "The charts report"),
    "doc_report_pdf": ("打印版报告", "The printable report"), "doc_coming": ("正在生成…", "being made…"),
    "doc_failed": ("生成失败:", "could not be made:"),
    "doc_stopped": ("未生成 (服务器在生成前已重启), 请重新测算", "not made (the server restarted first): allocate again"),
    "act_document": ("生成文件", "document"), "ready": ("已生成", "ready"), "failed": ("失败", "failed"),
    "compare_pick": ("选两个或更多方案比较 (第一个为基准)", "Pick two or more to compare (the first is the base)"),
}


def t(lang: str) -> dict[str, str]:
    column = 0 if lang == "zh" else 1
    return {k: v[column] for k, v in WORDS.items()}


FIELD_PARTS: dict[str, str] = {  # the Chinese for each part of a record's field (English pages show the field as kept)
    "funds": "资金", "enterprises": "企业", "commitments": "承诺", "budget": "预算", "caps.per_enterprise": "每户上限",
    "workers": "职工人数", "industry": "行业", "region": "地区", "costs": "费用", "own_funds": "自有资金",
    "amount": "等于", "at_least": "不少于", "at_most": "不超过", "status": "状态", "total_gap": "资金缺口合计",
    "scenario": "方案", "user": "用户",
}
_ENTRY = re.compile(r"^(funds|enterprises|commitments)\[([^\]]*)\]\.(.+)$")


def category_names(data: dict | None = None) -> dict[str, tuple[str, str]]:
    """code: (中文, English) of the cost categories: the defaults, and a scenario's own labels
    (its `categories:`) where `data` gives them."""
    names = {code: (c.label_zh or code, c.label_en or code) for code, c in DEFAULT_CATEGORIES.items()}
    own = (data or {}).get("categories")
    for code, c in (own.items() if isinstance(own, dict) else ()):
        if isinstance(c, dict):
            zh, en = names.get(code, (code, code))
            names[code] = (c.get("label_zh") or zh, c.get("label_en") or en)
    return names


def field_label(field: str, lang: str, categories: dict[str, tuple[str, str]] | None = None) -> str:
    """A record's field as a page in `lang` shows it: `funds[hb].caps.per_enterprise` → 资金 hb ·
    每户上限; `enterprises[xn1].costs.resettlement` → 企业 xn1 · 费用 · 职工安置费;
    `commitments[hb,xn1,resettlement].amount` → 承诺 hb, xn1, 职工安置费 · 等于. English pages, and
    anything not of these forms (a document's file name), show the field as kept."""
    if lang != "zh":
        return field
    categories = categories if categories is not None else category_names()
    found = _ENTRY.match(field)
    if found is None:
        head, _, rest = field.partition(" ")  # "status", "total_gap", "user li"
        return " ".join(p for p in (FIELD_PARTS.get(head, head), rest) if p)
    kind, key, rest = found.groups()
    if kind == "commitments":
        key = ", ".join(categories.get(k, (k,))[0] if i == 2 else k for i, k in enumerate(key.split(",")))
        rest = "+".join(FIELD_PARTS.get(k, k) for k in rest.split("+"))
    else:
        section, _, leaf = rest.partition(".")
        if section in ("costs", "own_funds") and leaf:
            leaf = categories.get(leaf, (leaf,))[0] if section == "costs" else leaf
            rest = f"{FIELD_PARTS[section]} · {leaf}"
        else:
            rest = FIELD_PARTS.get(rest, rest)
    return f"{FIELD_PARTS[kind]} {key} · {rest}"


DETAIL_PARTS: dict[str, tuple[str, str]] = {  # a record row's 详情 keys, in the order the record page shows them
    "solve": ("测算编号", "Solve"), "file": ("文件", "File"), "bytes": ("大小（字节）", "Size (bytes)"),
    "error": ("原因", "Reason"), "commitments": ("转为承诺的条数", "Commitments made"), "method": ("方法", "Method"),
    "solver": ("求解器", "Solver"), "solver_version": ("求解器版本", "Solver version"), "tool_version": ("软件版本", "Tool version"),
    "base_scenario": ("基础方案", "Base scenario"), "base_version": ("基础版本", "Base version"), "changes": ("改动", "Changes"),
    "sha256": ("文件校验码 SHA-256", "SHA-256"), "files": ("结果文件", "Result files"),
    "documents": ("随后生成的文件", "Documents to follow"),
}


def detail_lines(detail: str | None, lang: str) -> list[tuple[str, str, str]]:
    """A record row's detail (kept as JSON, as record.csv exports it) as (label, shown, whole) lines
    for the record page: labels in the page's language, lists joined, a checksum shortened to 12
    characters with the whole one kept for its tooltip. Text that is not a JSON object is one line."""
    try:
        data = json.loads(detail) if detail else {}
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return [("", str(detail), str(detail))]
    zh = lang == "zh"
    out = []
    order = list(DETAIL_PARTS)
    for key, value in sorted(data.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0])):
        label = DETAIL_PARTS.get(key, (key, key))[0 if zh else 1]
        if isinstance(value, list):
            whole = ("、" if zh else ", ").join(str(v) for v in value)
        elif isinstance(value, dict):
            whole = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            whole = str(value)
        shown = whole[:12] + "…" if key == "sha256" and len(whole) > 12 else whole
        out.append((label, shown, whole))
    return out
