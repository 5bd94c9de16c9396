"""``docnorm review serve``: the review workbench, a small FastAPI app over the review queue.

Every page and endpoint needs a signed-in session; state changes need the session's CSRF token; no
page is cached (they hold PHI); sign-in attempts are rate-limited and logged. The document shown for
an item comes from the queue's record of its source, never from a path in a request.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Form, HTTPException, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from docnorm.doctypes.builtin import REGISTRY
from docnorm.doctypes.registry import DocTypeRegistry
from docnorm.flows import events
from docnorm.review_queue import ReviewQueue, record_values
from docnorm.schemas.errors import ConfigError, ReviewConflict
from docnorm.schemas.evidence import Evidence
from docnorm.settings import Settings
from docnorm.sinks import open_database
from docnorm.sinks.database import as_utc
from docnorm.validators.confidence import field_confidence
from docnorm.validators.options import ValidationOptions
from docnorm.workbench import accounts, source

log = logging.getLogger("docnorm.workbench")

HERE = Path(__file__).parent
COOKIE = "docnorm_session"
MAX_FAILURES = 5
FAILURE_WINDOW = 300.0
"""Failed sign-ins per name and address allowed in this many seconds, counted in the queue's database."""
FILTERS = ("doc_type", "stage", "reason", "run")
MAX_ROWS = 12
_LINES = re.compile(r"\(line_no ([\d, ]+)")


class Workbench:
    """The workbench's state (the queue, its database, the templates) and one method per page or action."""

    def __init__(self, settings: Settings, registry: DocTypeRegistry) -> None:
        self.settings = settings
        self.registry = registry
        self.engine = open_database(settings.review_database_url)
        self.queue = ReviewQueue(self.engine, ValidationOptions(balance_tolerance=settings.balance_tolerance), registry)
        self.templates = Jinja2Templates(directory=HERE / "templates")

    # --- who is asking ------------------------------------------------------------------------------

    def who(self, request: Request) -> accounts.SignedIn | None:
        """The signed-in reviewer of the request, if any."""
        return accounts.signed_in(self.engine, request.cookies.get(COOKIE))

    def require(self, request: Request) -> accounts.SignedIn:
        """The signed-in reviewer; 401 (a redirect to sign in, for pages) otherwise."""
        user = self.who(request)
        if user is None:
            raise HTTPException(status_code=401, detail="sign in first")
        return user

    @staticmethod
    def require_csrf(user: accounts.SignedIn, token: str | None) -> None:
        """403 unless ``token`` is the session's CSRF token."""
        if not token or not secrets.compare_digest(token, user.csrf):
            raise HTTPException(status_code=403, detail="missing or wrong CSRF token")

    def page(self, request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
        """A template rendered for the request."""
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    # --- signing in and out -------------------------------------------------------------------------

    def login_page(self, request: Request, next: str = "/") -> Response:
        """The sign-in form."""
        return self.page(request, "login.html", {"next": _local(next), "error": None})

    def login(self, request: Request, username: str = Form(...), password: str = Form(...),
              next: str = Form("/")) -> Response:  # fmt: skip
        """Check the password (rate-limited per name and address, logged) and open a session."""
        address = request.client.host if request.client else "?"
        if accounts.sign_in_blocked(self.engine, username, address, MAX_FAILURES, FAILURE_WINDOW):
            log.warning("sign-in refused for %s from %s: too many failed attempts", username, address)
            context = {"next": _local(next), "error": "Too many failed attempts. Wait a few minutes."}
            return self.page(request, "login.html", context, status_code=429)
        if not accounts.verify(self.engine, username, password):
            accounts.sign_in_failed(self.engine, username, address, FAILURE_WINDOW)
            log.warning("sign-in failed for %s from %s", username, address)
            return self.page(request, "login.html", {"next": _local(next), "error": "Wrong name or password."}, 401)
        log.info("%s signed in from %s", username, address)
        response = RedirectResponse(_local(next), status_code=303)
        response.set_cookie(COOKIE, accounts.open_session(self.engine, username), httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", max_age=accounts.SESSION_HOURS * 3600)  # fmt: skip
        return response

    def logout(self, request: Request, csrf: str = Form("")) -> Response:
        """Close the session."""
        self.require_csrf(self.require(request), csrf)
        accounts.close_session(self.engine, request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # --- the queue ----------------------------------------------------------------------------------

    def queue_page(self, request: Request, doc_type: str = "", stage: str = "", reason: str = "",
                   run: str = "") -> Response:  # fmt: skip
        """Pending items, oldest first, with filters and their counts, claims and throughput."""
        user = self.require(request)
        chosen = {"doc_type": doc_type, "stage": stage, "reason": reason, "run": run}
        pending = self.queue.items()
        return self.page(request, "queue.html", {
            "user": user, "items": [i for i in pending if _matches(i, chosen)], "total": len(pending),
            "chosen": chosen, "counts": _counts(pending), "claims": accounts.claims(self.engine),
            "throughput": self.queue.throughput(), "query": _query(chosen), "ages": _ages(pending),
        })  # fmt: skip

    def next_item(self, request: Request, after: int = 0, doc_type: str = "", stage: str = "", reason: str = "",
                  run: str = "") -> Response:  # fmt: skip
        """The next pending item (after ``after``) in the filter that no one else holds."""
        user = self.require(request)
        chosen = {"doc_type": doc_type, "stage": stage, "reason": reason, "run": run}
        held = accounts.claims(self.engine)
        free = [i for i in self.queue.items() if _matches(i, chosen) and held.get(i.id, user.reviewer) == user.reviewer]
        later = [i for i in free if i.id != after]
        target = next((i for i in later if i.id > after), later[0] if later else None)
        where = f"/items/{target.id}?{_query(chosen)}" if target is not None else f"/?{_query(chosen)}"
        return RedirectResponse(where, status_code=303)

    # --- one item -----------------------------------------------------------------------------------

    def item_page(self, request: Request, item_id: int, doc_type: str = "", stage: str = "", reason: str = "",
                  run: str = "") -> Response:  # fmt: skip
        """The document beside its record, the checks that failed, the actions and the audit trail."""
        user = self.require(request)
        item = _item(self.queue, item_id)
        chosen = {"doc_type": doc_type, "stage": stage, "reason": reason, "run": run}
        claim = accounts.claim(self.engine, item_id, user.reviewer) if item.status == "pending" else None
        known = item.doc_type is None or item.doc_type in self.registry.names()
        fields = self._fields(item)
        marked = [(f["path"], f["evidence"]) for f in fields if f["evidence"]]
        pane = source.view(item.source_uri, item.doc_id, marked, self.settings)
        parts, shown_as = _text_parts(pane)
        return self.page(request, "item.html", {
            "user": user, "item": item, "claim": claim, "known": known, "fields": fields, "pane": pane,
            "mark_of": {mark.field: shown_as.get(mark.number, mark.number) for mark in pane.marks},
            "audit": self.queue.audit(item_id), "query": _query(chosen), "text_parts": parts,
            "failing": self._failing(item),
        })  # fmt: skip

    def _failing(self, item: Any) -> list[dict[str, Any]]:
        """For each failed check, the rows of the table it names (only the lines it names), from the record."""
        if item.record is None or item.doc_type not in self.registry.names():
            return []
        spec = self.registry[item.doc_type]
        try:
            rows = spec.to_rows(spec.model.model_validate(item.record))
        except ValueError:
            return []
        columns = {table.name: [c.name for c in table.columns] for table in spec.tables(self.queue.options)}
        shown = []
        for reason in item.reasons:
            table = str(reason.get("field") or "").split(".")[0]
            if table not in rows or not rows[table]:
                continue
            named = _LINES.search(str(reason.get("message", "")))
            wanted = {int(n) for n in re.findall(r"\d+", named.group(1))} if named else None
            picked = [r for r in rows[table] if wanted is None or r.get("line_no") in wanted][:MAX_ROWS]
            shown.append({"code": reason["code"], "table": table, "columns": columns[table], "rows": picked})
        return shown

    def _fields(self, item: Any) -> list[dict[str, Any]]:
        calibrated = item.doc_type in self.registry.names()
        fields = []
        for path, value, evidence in record_values(item.record) if item.record else []:
            confidence = None
            if evidence is not None and calibrated and value is not None:
                confidence = field_confidence(value, Evidence.model_validate(evidence), doc_type=item.doc_type,
                                              field=_field_path(path))  # fmt: skip
            fields.append({"path": path, "value": value, "evidence": evidence, "confidence": confidence})
        return fields

    def page_image(self, request: Request, item_id: int, number: int) -> Response:
        """One page of the item's PDF, from the queue's record of its source, within the pixel budget;
        503 (with Retry-After) when other renders keep pdfium busy, or the page cannot be drawn in time."""
        self.require(request)
        item = _item(self.queue, item_id)
        try:
            png = source.page_png(item.source_uri, item.doc_id, number)
        except source.Busy:
            raise HTTPException(status_code=503, detail="busy drawing other pages: try again in a moment",
                                headers={"Retry-After": str(source.RETRY_AFTER_S)}) from None  # fmt: skip
        except source.Undrawable:
            log.warning("page %s of item %s could not be drawn in %ss", number, item_id, source.RENDER_TIME_S)
            raise HTTPException(status_code=503, detail="this page cannot be drawn") from None
        if png is None:
            raise HTTPException(status_code=404, detail="no such page")
        return Response(png, media_type="image/png")

    def _acting(self, request: Request, item_id: int, csrf: str) -> accounts.SignedIn:
        user = self.require(request)
        self.require_csrf(user, csrf)
        claim = accounts.claim(self.engine, item_id, user.reviewer)
        if not claim.mine:
            raise HTTPException(status_code=409, detail=f"{claim.holder} is working on this item")
        return user

    def _done(self, user: accounts.SignedIn, item_id: int, query: str, action: str) -> Response:
        accounts.release(self.engine, item_id, user.reviewer)
        events.resolved(item_id, self.queue.get(item_id).doc_type, action, user.reviewer)
        return RedirectResponse(f"/items/next?after={item_id}&{query}", status_code=303)

    def approve(self, request: Request, item_id: int, csrf: str = Form(""), version: int = Form(...),
                query: str = Form("")) -> Response:  # fmt: skip
        """Accept the record as extracted."""
        user = self._acting(request, item_id, csrf)
        try:
            self.queue.approve(item_id, user.reviewer, expected_version=version)
        except (ConfigError, ReviewConflict) as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return self._done(user, item_id, query, "approved")

    def reject(self, request: Request, item_id: int, csrf: str = Form(""), version: int = Form(...),
               note: str = Form(""), query: str = Form("")) -> Response:  # fmt: skip
        """Keep the document out of the curated tables, with the reviewer's reason."""
        user = self._acting(request, item_id, csrf)
        if not note.strip():
            raise HTTPException(status_code=422, detail="say why the document is rejected")
        try:
            self.queue.reject(item_id, user.reviewer, note.strip(), expected_version=version)
        except (ConfigError, ReviewConflict) as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return self._done(user, item_id, query, "rejected")

    async def correct(self, request: Request, item_id: int) -> Response:
        """Save corrections that pass every check; anything that would fail is shown and nothing is saved."""
        form = await request.form()
        user = self._acting(request, item_id, str(form.get("csrf", "")))
        changes, quotes = _changes(form), _quotes(form)
        problems = self.queue.would_fail(item_id, changes) if changes or quotes else ["nothing was changed"]
        if problems:
            raise HTTPException(status_code=422, detail="; ".join(problems) + " (nothing was saved)")
        try:
            version = int(str(form.get("version", "")))
            self.queue.correct(item_id, changes, user.reviewer, expected_version=version, quotes=quotes)
        except ValueError:
            raise HTTPException(status_code=422, detail="the form has no version") from None
        except (ConfigError, ReviewConflict) as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return self._done(user, item_id, str(form.get("query", "")), "corrected")

    async def check(self, request: Request, item_id: int) -> Response:
        """What the checks would say of the item with the given changes (JSON); nothing is saved."""
        user = self.require(request)
        self.require_csrf(user, request.headers.get("X-CSRF-Token"))
        payload: dict[str, Any] = await request.json()
        changes = {str(k): str(v) for k, v in (payload.get("changes") or {}).items()}
        _item(self.queue, item_id)
        return JSONResponse({"problems": self.queue.would_fail(item_id, changes)})

    async def errors(self, request: Request, exc: Exception) -> Response:
        """Pages redirect to sign in; the API answers JSON; everything else is a page with the message."""
        assert isinstance(exc, HTTPException)
        if exc.status_code == 401 and request.method == "GET" and not request.url.path.startswith("/api/"):
            return RedirectResponse(f"/login?{urlencode({'next': request.url.path})}", status_code=303)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        context = {"title": "Not done", "message": exc.detail, "user": self.who(request)}
        response = self.page(request, "message.html", context, status_code=exc.status_code)
        response.headers.update(exc.headers or {})  # e.g. Retry-After on a 503
        return response


async def _private(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """No page is cached (they hold PHI); no inline script or style; never framed."""
    response = await call_next(request)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
    )
    return response


def create_app(settings: Settings, registry: DocTypeRegistry = REGISTRY) -> FastAPI:
    """The workbench over the queue ``settings`` name (DOCNORM_REVIEW_URL, else OUT/review.db)."""
    bench = Workbench(settings, registry)
    app = FastAPI(title="docnorm review workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.middleware("http")(_private)
    app.add_exception_handler(HTTPException, bench.errors)
    for path, endpoint, methods in (
        ("/login", bench.login_page, ["GET"]),
        ("/login", bench.login, ["POST"]),
        ("/logout", bench.logout, ["POST"]),
        ("/", bench.queue_page, ["GET"]),
        ("/items/next", bench.next_item, ["GET"]),
        ("/items/{item_id}", bench.item_page, ["GET"]),
        ("/items/{item_id}/pages/{number}.png", bench.page_image, ["GET"]),
        ("/items/{item_id}/approve", bench.approve, ["POST"]),
        ("/items/{item_id}/reject", bench.reject, ["POST"]),
        ("/items/{item_id}/correct", bench.correct, ["POST"]),
        ("/api/items/{item_id}/check", bench.check, ["POST"]),
    ):
        app.add_api_route(path, endpoint, methods=methods, include_in_schema=False)
    return app


def _item(queue: ReviewQueue, item_id: int) -> Any:
    try:
        return queue.get(item_id)
    except ConfigError:
        raise HTTPException(status_code=404, detail=f"there is no review item {item_id}") from None


def _changes(form: Mapping[str, Any]) -> dict[str, str]:
    """``set.<path>`` fields whose value differs from ``was.<path>``."""
    out = {}
    for key, value in form.items():
        if key.startswith("set.") and str(value) != str(form.get(f"was.{key[4:]}", "")):
            out[key[4:]] = str(value)
    return out


def _ages(items: list[Any]) -> dict[int, str]:
    """How long each item has waited, as people read it: 40 min, 5 h, 3 d."""
    now = datetime.now(UTC)
    out = {}
    for item in items:
        minutes = int((now - as_utc(item.created_at)).total_seconds() // 60)
        out[item.id] = (
            f"{minutes} min" if minutes < 120 else f"{minutes // 60} h" if minutes < 2880 else f"{minutes // 1440} d"
        )
    return out


def _quotes(form: Mapping[str, Any]) -> dict[str, str]:
    """``quote.<path>`` fields a reviewer filled by selecting text in the document."""
    return {key[6:]: str(value) for key, value in form.items() if key.startswith("quote.") and str(value).strip()}


def _matches(item: Any, chosen: Mapping[str, str]) -> bool:
    codes = {r["code"] for r in item.reasons}
    return (
        (not chosen["doc_type"] or (item.doc_type or "unknown") == chosen["doc_type"])
        and (not chosen["stage"] or item.stage == chosen["stage"])
        and (not chosen["reason"] or chosen["reason"] in codes)
        and (not chosen["run"] or item.run_id == chosen["run"])
    )


def _counts(items: list[Any]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {name: {} for name in FILTERS}
    for item in items:
        for name, value in (("doc_type", item.doc_type or "unknown"), ("stage", item.stage), ("run", item.run_id)):
            counts[name][value] = counts[name].get(value, 0) + 1
        for code in {r["code"] for r in item.reasons}:
            counts["reason"][code] = counts["reason"].get(code, 0) + 1
    return {name: dict(sorted(values.items())) for name, values in counts.items()}


def _query(chosen: Mapping[str, str]) -> str:
    return urlencode({k: v for k, v in chosen.items() if v})


def _local(target: str) -> str:
    """Only same-site paths after sign-in (never an open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _field_path(path: str) -> str:
    return ".".join(part for part in path.split(".") if not part.isdigit())


def _text_parts(pane: source.SourceView) -> tuple[list[tuple[str, int | None]], dict[int, int]]:
    """The text cut at the evidence spans, as (text, mark number or None), and for each mark that
    overlaps one already shown (fields of one item share its span) the number of the one shown."""
    if pane.kind in (None, "pdf"):
        return [], {}
    parts: list[tuple[str, int | None]] = []
    shown_as: dict[int, int] = {}
    at, last = 0, None
    for mark in sorted(pane.marks, key=lambda m: (m.start or 0, m.number)):
        if mark.start is None or mark.end is None:
            continue
        if mark.start < at:
            if last is not None:
                shown_as[mark.number] = last
            continue
        parts.append((pane.text[at : mark.start], None))
        parts.append((pane.text[mark.start : mark.end], mark.number))
        at, last = mark.end, mark.number
    parts.append((pane.text[at:], None))
    return parts, shown_as
