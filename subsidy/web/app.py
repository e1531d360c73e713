"""The workbench's routes (Starlette, Jinja2 templates, htmx served from the package).

Every request: the session cookie (HttpOnly, SameSite=Lax) names a server-side session; every
POST carries that session's CSRF token (a form field or htmx's X-CSRF-Token header) or is
refused; what the user may see or change is decided here from the session's user (access.py),
never from the request's fields. Request bodies over uploads.MAX_UPLOAD are refused before they
are read. Any unexpected error shows a plain page with an error number; the traceback goes to
the server's log only. Solves run in a bounded thread pool so that a long one never blocks
the pages of other users; a solve's documents (workbook, charts, PDF, explanation, close-gap:
about 60 s at 1,000 enterprises against the solve's 1 s) are made afterwards in the app's
document pool (state.Documents) while the page shows the tables and polls for them.
"""

from __future__ import annotations

import contextlib
import csv
import hmac
import io
import json
import logging
import secrets
from pathlib import Path

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from subsidy.scenario.convert import template as make_template
from subsidy.scenario.labels import language_of_data
from subsidy.web import access, editing, uploads, work
from subsidy.web.state import Documents, Versions
from subsidy.web.store import Conflict, Frozen, Store, User, canonical, now, sha256_of
from subsidy.web.ui_text import category_names, detail_lines, field_label, t

HERE = Path(__file__).parent
COOKIE, LOGIN_COOKIE, LANG_COOKIE = "subsidy_session", "subsidy_login_csrf", "subsidy_lang"
MAX_COMPARED = 6
ROWS_PER_PAGE = 100  # enterprises per page of a scenario: 1,000 rows made a 1.2 MB page taking 0.5 s to draw
log = logging.getLogger("subsidy.web")
templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


class Page:
    """One request's user, language and CSRF token, and the page drawn for it."""

    def __init__(self, request: Request, user: User | None, csrf: str):
        self.request, self.user, self.csrf = request, user, csrf
        self.lang = "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"

    def render(self, name: str, status: int = 200, **values) -> HTMLResponse:
        html = templates.get_template(name).render(w=t(self.lang), lang=self.lang, user=self.user, csrf=self.csrf,
                                                   path=self.request.url.path, **values)
        return HTMLResponse(html, status_code=status)


def create_app(store: Store, solve_workers: int = 2, document_pool=None) -> Starlette:
    """The app on `store`; `document_pool` (default a thread pool of one) makes a solve's
    documents after its tables are shown (state.Documents)."""
    limiter = anyio.CapacityLimiter(solve_workers)
    versions = Versions(store)  # the what-if's versions, read and validated once (state.py)
    documents = Documents(store, document_pool)

    async def page(request: Request, need_login: bool = True) -> Page:
        found = store.session(request.cookies.get(COOKIE, "")) if request.cookies.get(COOKIE) else None
        if found is None:
            if need_login:
                raise HTTPException(303, headers={"Location": "/login"})
            return Page(request, None, "")
        user, csrf = found
        p = Page(request, user, csrf)
        if request.method == "POST":
            form = await request.form()
            sent = request.headers.get("x-csrf-token") or form.get("csrf") or ""
            if not hmac.compare_digest(str(sent), csrf):
                raise HTTPException(403, "CSRF token missing or wrong; reload the page")
            p.form = form
        return p

    def need(p: Page, roles: set[str]) -> None:
        if p.user.role not in roles:
            raise HTTPException(403)

    def load_version(p: Page, sid: int, number: int | None = None):
        if store.scenario(sid) is None:
            raise HTTPException(404)
        v = store.version(sid, number)
        if v is None or not access.may_open(p.user, v.data):
            raise HTTPException(404)  # a clerk learns nothing of another region's scenario, not even that it exists
        return v

    def as_solved(sid: int, data: dict) -> tuple[dict, object]:
        """(the data as a solve of scenario `sid` reads it, the approval it carries): every solve
        after an approval, of any version, a what-if or a variant, carries the approved allocation
        as commitments (work.carrying)."""
        approval = store.approval_in_force(sid)
        return work.carrying(data, approval), approval

    # --- sign in and out ------------------------------------------------------------------------
    async def login_form(request: Request):
        p = await page(request, need_login=False)
        token = secrets.token_urlsafe(32)
        response = p.render("login.html", login_csrf=token, failed=False)
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict")
        return response

    async def login(request: Request):
        form = await request.form()
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, str(form.get("csrf", ""))):
            raise HTTPException(403, "CSRF token missing or wrong; reload the page")
        found = await anyio.to_thread.run_sync(store.login, str(form.get("user", "")), str(form.get("password", "")))
        if found is None:
            p = Page(request, None, "")
            response = p.render("login.html", status=401, login_csrf=cookie, failed=True)
            return response
        response = RedirectResponse("/", 303)
        response.set_cookie(COOKIE, found[0], httponly=True, samesite="lax", max_age=12 * 3600)
        response.delete_cookie(LOGIN_COOKIE)
        return response

    async def logout(request: Request):
        await page(request)
        store.logout(request.cookies.get(COOKIE, ""))
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE)
        return response

    async def language(request: Request):
        lang = request.path_params["lang"]
        back = request.query_params.get("next", "/")
        response = RedirectResponse(back if back.startswith("/") and not back.startswith("//") else "/", 303)
        response.set_cookie(LANG_COOKIE, "en" if lang == "en" else "zh", samesite="lax", httponly=True)
        return response

    # --- scenarios ------------------------------------------------------------------------------
    async def home(request: Request):
        p = await page(request)
        rows = [r for r in store.scenario_list() if p.user.role != "clerk" or access.may_open(p.user, store.version(r.id).data)]
        return p.render("scenarios.html", scenarios=rows, refused=None)

    async def template_file(request: Request):
        p = await page(request)
        return Response(make_template(p.lang), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="subsidy-template-{p.lang}.xlsx"'})

    async def upload(request: Request):
        p = await page(request)
        need(p, access.UPLOAD)
        item = p.form.get("file")
        if item is None or not hasattr(item, "read"):
            raise HTTPException(400, "no file")
        raw = await item.read()
        try:
            data = uploads.read_upload(item.filename or "", raw)
            if p.user.role == "clerk" and len(access.visible_enterprises(p.user, data)) != len(data.get("enterprises") or []):
                raise uploads.UploadRefused(["holds enterprises outside your regions " + ", ".join(p.user.regions)])
        except uploads.UploadRefused as exc:
            return p.render("scenarios.html", status=400, scenarios=store.scenario_list() if p.user.role != "clerk" else [],
                            refused=[f"{item.filename}: {line}" for line in exc.lines])
        name = data.get("name") if isinstance(data.get("name"), str) and data.get("name") else (item.filename or "scenario")
        sid = store.create_scenario(name, data, p.user.name)
        return RedirectResponse(f"/s/{sid}", 303)

    async def scenario_page(request: Request, notice: str | None = None, conflict: str | None = None, status: int = 200):
        p = getattr(request.state, "page", None) or await page(request)
        sid = request.path_params["sid"]
        number = request.query_params.get("v")
        v = load_version(p, sid, int(number) if number and number.isdigit() else None)
        latest = store.version(sid).number
        shown = editing.tables(p.user, v.data, p.lang)
        pages = max(1, -(-len(shown.enterprises) // ROWS_PER_PAGE))
        at = request.query_params.get("page", "1")
        at = min(max(int(at), 1), pages) if at.isdigit() else 1
        total = len(shown.enterprises)
        shown.enterprises = shown.enterprises[(at - 1) * ROWS_PER_PAGE: at * ROWS_PER_PAGE]
        editable = v.number == latest
        return p.render("scenario.html", status=status, sid=sid, s=store.scenario(sid), v=v, latest=latest,
                        page_no=at, pages=pages, total=total,
                        versions=store.versions_of(sid), tb=shown, shown=editing.shown, editable=editable,
                        may_edit_enterprises=editable and p.user.role in access.EDIT_ENTERPRISES,
                        may_edit_funds=editable and p.user.role in access.EDIT_FUNDS,
                        may_submit=p.user.role in access.SUBMIT and v.status == "draft" and shown.scenario is not None,
                        may_solve=p.user.role in access.SOLVE and shown.scenario is not None,
                        solves=store.solves_of(sid, v.number),
                        notice=notice, conflict=conflict)

    async def save(request: Request):
        p = await page(request)
        request.state.page = p
        sid = request.path_params["sid"]
        base = p.form.get("base", "")
        if not str(base).isdigit():
            raise HTTPException(400, "the form names no version")
        v = load_version(p, sid, int(base))
        try:
            data, changes = editing.apply_form(p.user, v.data, dict(p.form))
        except editing.Refused as exc:
            raise HTTPException(403, str(exc)) from None
        if not changes:
            return RedirectResponse(f"/s/{sid}", 303)
        try:
            number = store.save(sid, v.number, data, p.user.name, changes)
        except Conflict as exc:
            return await scenario_page(request, conflict=str(exc), status=409)
        return RedirectResponse(f"/s/{sid}?v={number}", 303)

    async def submit(request: Request):
        p = await page(request)
        need(p, access.SUBMIT)
        sid, number = request.path_params["sid"], request.path_params["n"]
        v = load_version(p, sid, number)
        if editing.validate(v.data)[0] is None:
            raise HTTPException(400, "the version has problems to fix before it can be submitted")
        try:
            store.set_status(sid, number, "submitted", p.user.name, ("draft",))
        except Frozen as exc:
            raise HTTPException(409, str(exc)) from None
        return RedirectResponse(f"/s/{sid}?v={number}", 303)

    # --- solve, what-if, approve ----------------------------------------------------------------
    async def solve(request: Request):
        p = await page(request)
        need(p, access.SOLVE)
        sid, number = request.path_params["sid"], request.path_params["n"]
        v = load_version(p, sid, number)
        data, _approval = as_solved(sid, v.data)
        scenario, problems = editing.validate(data)
        if scenario is None:
            raise HTTPException(400, "the version has problems to fix before it can be solved: "
                                     + "; ".join(q.said(p.lang) for q in problems[:5]))
        if scenario.years and len(scenario.years) > 1:  # issue 14: the workbench solves one year
            raise HTTPException(400, "a programme over several years is solved with `subsidy solve` for now / 跨年度方案暂请用 subsidy solve 求解")
        text = canonical(data)  # its sha256 is the version's unless an approval's commitments are carried
        try:
            result, summary, files, total_gap = await anyio.to_thread.run_sync(work.solve_version, scenario, sha256_of(text),
                                                                               limiter=limiter)
        except work.Unsolvable as exc:
            raise HTTPException(400, "; ".join(exc.said(p.lang))) from None
        files["scenario.json"] = text.encode("utf-8")  # the data as solved: `subsidy solve scenario.json` gives the same files
        solve_id = store.record_solve(sid, number, p.user.name, summary, files, total_gap, documents=work.DOCUMENTS)
        documents.hand_over(solve_id, p.user.name, scenario, result)  # the page shows the tables now, the documents as they come
        return RedirectResponse(f"/s/{sid}/solves/{solve_id}", 303)

    def solve_of(p: Page, sid: int, solve_id: int):
        """The solve `solve_id` of scenario `sid` (404 if it is another scenario's, or the user
        may not open the scenario), with the version it solved."""
        row = next((r for r in store.solves_of(sid) if r.id == solve_id), None)
        if row is None:
            raise HTTPException(404)
        return row, load_version(p, sid, row.version)

    def clerks_enterprises(p: Page, v) -> set[str] | None:
        """The ids of the enterprises a clerk's regions hold in version `v`; None for every other
        role (they see the whole solve). A clerk's views of a solve show only these."""
        if p.user.role != "clerk":
            return None
        return {str(v.data["enterprises"][i].get("id")) for i in access.visible_enterprises(p.user, v.data)}

    def documents_of(p: Page, sid: int, solve_id: int, view: dict, mine: set[str] | None) -> dict:
        """What the documents part of a solve's page shows: the files to download, each document
        still coming or failed, the explanation and close-gap in words once made. A clerk's: the
        CSV files cut to their regions, nothing else (explain and close-gap cover every region)."""
        if mine is not None:
            return {"files": [f for f in store.file_names(solve_id) if f in work.REGIONAL_FILES], "waiting": [], "coming": False,
                    "explain": [], "close_gap": []}
        states = documents.states(solve_id)
        words = {}
        for name in ("explain", "close_gap"):
            kept = store.result_file(solve_id, f"{name}.json")  # a solve from before the documents came afterwards: in view.json
            words[name] = json.loads(kept.content)[p.lang] if kept is not None else view.get(name, {}).get(p.lang, [])
        return {"files": [f for f in store.file_names(solve_id) if f not in ("view.json", "explain.json", "close_gap.json")],
                "waiting": [s for s in states if s[1] != "ready"], "coming": any(s[1] == "coming" for s in states), **words}

    async def documents_part(request: Request):
        """The documents part alone: the page polls it (htmx, every 2 s) while any is coming."""
        p = await page(request)
        sid, solve_id = request.path_params["sid"], request.path_params["solve"]
        row, v = solve_of(p, sid, solve_id)
        mine = clerks_enterprises(p, v)
        view = json.loads(store.result_file(solve_id, "view.json").content)
        return p.render("documents.html", part=True, sid=sid, row=row, regions=mine is not None,
                        docs=documents_of(p, sid, solve_id, view, mine))

    async def solve_page(request: Request):
        p = await page(request)
        sid, solve_id = request.path_params["sid"], request.path_params["solve"]
        row, v = solve_of(p, sid, solve_id)
        view = json.loads(store.result_file(solve_id, "view.json").content)
        commitments = store.commitments_of(sid, row.version)
        mine = clerks_enterprises(p, v)
        docs = documents_of(p, sid, solve_id, view, mine)
        if mine is not None:  # a clerk: their regions' enterprises, lines and totals, nothing of the others
            view = work.regional_view(view, store.result_file(solve_id, "allocations.csv").content, mine)
            commitments = [c for c in commitments if c.enterprise in mine]
        return p.render("solve.html", sid=sid, s=store.scenario(sid), v=v, row=row, view=view, regions=mine is not None,
                        docs=docs, funds=v.data.get("funds") or [], shown=editing.shown, cat=category_of(p, v.data),
                        may_approve=p.user.role in access.APPROVE and v.status != "approved",
                        may_whatif=p.user.role in access.SOLVE, commitments=commitments, **whatif_choices(v.data))

    def category_of(p: Page, data: dict):
        """A cost category's code as the page names it: 职工安置费 for resettlement on a Chinese page."""
        names, column = category_names(data), 0 if p.lang == "zh" else 1
        return lambda code: names[code][column] if code in names else (code or "")

    def whatif_choices(data: dict) -> dict:
        """What the what-if panel's commitment rows offer: the version's own commitments (to
        remove), enterprise ids and cost categories (to add), blank rows."""
        ents = [e for e in data.get("enterprises") or [] if isinstance(e, dict)]
        return {"own_commitments": list(enumerate(data.get("commitments") or [])), "enterprise_ids": [str(e.get("id")) for e in ents],
                "categories": sorted({str(c) for e in ents for c in (e.get("costs") or {})}),
                "new_rows": range(editing.NEW_COMMITMENTS), "kinds": editing.COMMITMENT_KINDS}

    async def what_if_form(request: Request):
        """(page, scenario id, version number, the version prepared, the version's data with the
        panel's changes, the changes): what the what-if panel and its "save as variant" both
        start from. The version comes from the app's `versions` (read and validated once)."""
        p = await page(request)
        need(p, access.SOLVE)
        sid, number = request.path_params["sid"], request.path_params["n"]
        prepared = versions.get(sid, number)
        if prepared is None or not access.may_open(p.user, prepared.version.data):
            raise HTTPException(404)
        try:
            data, changes = editing.apply_form(p.user, prepared.version.data, dict(p.form))
            data, more = editing.apply_commitments(p.user, data, dict(p.form))
        except editing.Refused as exc:
            raise HTTPException(403, str(exc)) from None
        return p, sid, number, prepared, data, changes + more

    async def whatif(request: Request):
        p, sid, number, _prepared, data, _changes = await what_if_form(request)
        carried = versions.carried(sid, number)  # validated once per approval in force (state.py)
        scenario, problems = editing.validate_changed(carried.scenario, carried.data or carried.version.data, carried.carry(data))
        if scenario is None:
            return p.render("whatif.html", view=None, problems=[q.said(p.lang) for q in problems])
        try:
            view = await anyio.to_thread.run_sync(work.whatif, scenario, limiter=limiter)
        except work.Unsolvable as exc:
            return p.render("whatif.html", view=None, problems=exc.said(p.lang))
        return p.render("whatif.html", view=view, problems=[])

    async def variant(request: Request):
        """The what-if's changes kept as a new scenario: a variant of its base (the changes, the
        overlay, are in the record), to compare side by side."""
        p, sid, number, _prepared, data, changes = await what_if_form(request)
        if not changes:
            raise HTTPException(400, "the variant changes nothing")
        label = ", ".join(f"{field.split('].')[0].split('[')[1]} {new}" for field, _old, new in changes)
        data["name"] = f"{data.get('name')} ({label})"
        new_sid = store.create_scenario(data["name"], data, p.user.name, how="variant",
                                        base=(sid, number, [list(c) for c in changes]))
        target = f"/s/{new_sid}"
        if request.headers.get("hx-request"):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, 303)

    async def compare_page(request: Request):
        p = await page(request)
        if p.user.role == "clerk":
            raise HTTPException(403)  # whole scenarios, every region
        picked = request.query_params.getlist("v")[:MAX_COMPARED]
        chosen = []
        for item in picked:
            sid, _, number = item.partition(":")
            if not (sid.isdigit() and number.isdigit()):
                raise HTTPException(400, "pick versions as scenario:version")
            v = load_version(p, int(sid), int(number))
            scenario, _problems = editing.validate(as_solved(int(sid), v.data)[0])
            if scenario is None:
                raise HTTPException(400, f"scenario {sid} version {number} has problems to fix first")
            chosen.append((f"#{sid} v{number}", scenario))
        text = None
        if len(chosen) >= 2:
            try:
                text = await anyio.to_thread.run_sync(work.comparison, chosen, p.lang, limiter=limiter)
            except work.Unsolvable as exc:
                raise HTTPException(400, "; ".join(exc.said(p.lang))) from None
        return p.render("compare.html", text=text, picked=[label for label, _ in chosen],
                        scenarios=store.scenario_list())

    async def approve(request: Request):
        p = await page(request)
        need(p, access.APPROVE)
        sid, solve_id = request.path_params["sid"], request.path_params["solve"]
        row, v = solve_of(p, sid, solve_id)
        if row.scenario_sha256 != sha256_of(canonical(as_solved(sid, v.data)[0])):
            raise HTTPException(409, "the solve is not of this version's data with the approved commitments now in force "
                                     "(another approval came after it): solve again, then approve")
        source = work.approval_source(p.user.name, now(), store.scenario(sid).name, row.version, v.sha256, solve_id,
                                      language_of_data(v.data))
        rows = work.commitment_rows(store.result_file(solve_id, "allocations.csv").content, source)
        try:
            store.approve(sid, row.version, solve_id, rows, p.user.name)
        except Frozen as exc:
            raise HTTPException(409, str(exc)) from None
        return RedirectResponse(f"/s/{sid}/solves/{solve_id}", 303)

    async def commitments_file(request: Request):
        p = await page(request)
        sid, number = request.path_params["sid"], request.path_params["n"]
        mine = clerks_enterprises(p, load_version(p, sid, number))
        import yaml

        entries = [{"fund": r.fund, "enterprise": r.enterprise, "category": r.category, "amount": r.amount, "source": r.source}
                   for r in store.commitments_of(sid, number) if mine is None or r.enterprise in mine]
        text = yaml.safe_dump({"commitments": entries}, allow_unicode=True, sort_keys=False)
        return Response(text, media_type="application/yaml; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="commitments-{sid}-v{number}.yaml"'})

    async def result_file(request: Request):
        p = await page(request)
        sid, solve_id, name = request.path_params["sid"], request.path_params["solve"], request.path_params["name"]
        _row, v = solve_of(p, sid, solve_id)
        mine = clerks_enterprises(p, v)
        if mine is not None and name not in work.REGIONAL_FILES:
            raise HTTPException(403)  # the workbook, report, summary and scenario are of every region
        found = store.result_file(solve_id, name)
        if found is None:
            raise HTTPException(404)
        content = found.content if mine is None else work.regional_csv(found.content, mine)
        kind = {".csv": "text/csv; charset=utf-8", ".json": "application/json", ".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
                ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}.get(Path(name).suffix, "application/octet-stream")
        return Response(content, media_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # --- the record -----------------------------------------------------------------------------
    def record_rows(p: Page, sid: int | None):
        if p.user.role == "clerk":
            raise HTTPException(403)
        return store.audit_rows(sid)

    async def record(request: Request):
        p = await page(request)
        sid = request.query_params.get("scenario")
        sid = int(sid) if sid and sid.isdigit() else None
        names = category_names()
        return p.render("audit.html", rows=record_rows(p, sid), sid=sid, field=lambda f: field_label(f, p.lang, names),
                        detail=lambda d: detail_lines(d, p.lang))

    async def record_csv(request: Request):
        p = await page(request)
        sid = request.query_params.get("scenario")
        rows = record_rows(p, int(sid) if sid and sid.isdigit() else None)
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\r\n")
        out.writerow(["id", "at", "user", "action", "scenario", "version", "field", "old", "new", "detail"])
        out.writerows([r.id, r.at.isoformat(), r.user_name, r.action, r.scenario_id, r.version, r.field, r.old, r.new, r.detail] for r in rows)
        return Response(("\ufeff" + buf.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="record.csv"'})

    # --- errors: a plain page, never a traceback ------------------------------------------------
    async def http_error(request: Request, exc: HTTPException):
        if exc.status_code == 303:
            return RedirectResponse(exc.headers["Location"], 303)
        p = Page(request, None, "")
        key = {403: "forbidden", 404: "not_found", 413: "too_large"}.get(exc.status_code, "bad_request")
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Forbidden", "Not Found") else ""
        return p.render("error.html", status=exc.status_code, key=key, detail=detail)

    async def server_error(request: Request, exc: Exception):
        number = secrets.token_hex(4)
        log.exception("error %s on %s %s", number, request.method, request.url.path)
        return Page(request, None, "").render("error.html", status=500, key="error", detail=f"#{number}")

    routes = [
        Route("/login", login_form, methods=["GET"]), Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]), Route("/lang/{lang}", language),
        Route("/", home), Route("/template.xlsx", template_file), Route("/upload", upload, methods=["POST"]),
        Route("/s/{sid:int}", scenario_page), Route("/s/{sid:int}/save", save, methods=["POST"]),
        Route("/s/{sid:int}/v/{n:int}/submit", submit, methods=["POST"]),
        Route("/s/{sid:int}/v/{n:int}/solve", solve, methods=["POST"]),
        Route("/s/{sid:int}/v/{n:int}/whatif", whatif, methods=["POST"]),
        Route("/s/{sid:int}/v/{n:int}/variant", variant, methods=["POST"]),
        Route("/s/{sid:int}/v/{n:int}/commitments.yaml", commitments_file), Route("/compare", compare_page),
        Route("/s/{sid:int}/solves/{solve:int}", solve_page),
        Route("/s/{sid:int}/solves/{solve:int}/documents", documents_part),
        Route("/s/{sid:int}/solves/{solve:int}/approve", approve, methods=["POST"]),
        Route("/s/{sid:int}/solves/{solve:int}/files/{name}", result_file),
        Route("/record", record), Route("/record.csv", record_csv),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        documents.close()  # documents not yet begun are dropped; their pages say to allocate again

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error}, lifespan=lifespan)
    return BodyLimit(app)


class BodyLimit:
    """Refuse a request body over uploads.MAX_UPLOAD (by its Content-Length, or as it streams in)
    before any of it is parsed; add the security headers to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > uploads.MAX_UPLOAD:
            return await _too_large(send)
        seen = 0

        async def bounded():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > uploads.MAX_UPLOAD:
                raise HTTPException(413)
            return message

        async def guarded(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, bounded, guarded)


SECURITY_HEADERS = [  # no framing, no type sniffing, scripts only from the package's own /static
    (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"),
]


async def _too_large(send) -> None:
    body = "413: the request is larger than the 5 MB allowed / 请求超过 5 MB 上限".encode("utf-8")
    await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})
