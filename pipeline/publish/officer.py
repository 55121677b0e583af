"""The officers' instance: upload minutes, preview drafts, correct actions and publish, behind a login.

Registered only by ``pipeline/publish/officer_plugins/`` (``python -m pipeline officer``), never on
the public site. Logging in is datasette-auth-passwords' ``/-/login``; every other page of the
instance, Datasette's own tables included, is refused until then by :func:`asgi_wrapper`, since
drafts are served here and Datasette's permissions do not cover plugin pages. POSTs carry
Datasette's CSRF token (asgi-csrf checks it).

Pages:

- ``/-/officer``: upload form, the drafts with their previews, recent corrections, publish button;
- ``/-/officer/upload`` (POST): size limit, format sniffed from the bytes by the readers, then the
  command line's own ingest (``ingest_all`` and the register rebuild); errors shown on the page;
- ``/-/officer/drafts/{id}``: a draft's items and actions, with links to correct each;
- ``/-/officer/actions/{id or reference}``: correct an action's owner, due date or status (an
  override with the officer's id and the time, :mod:`pipeline.track.overrides`);
- ``/-/officer/final`` (POST): a draft is final and will be published;
- ``/-/officer/publish`` (POST): write the public database (:mod:`pipeline.publish.public`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.parser
import email.policy
import hashlib
import html
import re
import secrets
import urllib.parse
from functools import partial
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response

from .. import store
from ..document import Metadata
from ..errors import BadOverride, BadUpload, PipelineError
from ..readers import sniff
from .plugin import minutes_database

PLUGIN = "council-minutes-officer"
DEFAULT_MAX_UPLOAD_MB = 20
PUBLIC_PATHS = ("/-/login", "/-/static/", "/-/static-plugins/", "/favicon.ico")
UPLOAD_PATH = "/-/officer/upload"
FORM_SLACK = 64 * 1024  # multipart boundaries and the form's other fields, on top of the file itself


def settings(datasette) -> dict[str, Any]:
    """This plugin's block of the metadata: public_db, uploads, max_upload_mb."""
    return datasette.plugin_config(PLUGIN) or {}


def max_upload_bytes(datasette) -> int:
    return int(float(settings(datasette).get("max_upload_mb", DEFAULT_MAX_UPLOAD_MB)) * 2**20)


def _actor(datasette, scope) -> dict | None:
    """The logged-in actor from the signed ``ds_actor`` cookie that /-/login sets, or None."""
    cookies = {}
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                cookies[key] = val
    if "ds_actor" not in cookies:
        return None
    try:
        signed = datasette.unsign(urllib.parse.unquote(cookies["ds_actor"]), "actor")
    except Exception:  # a forged, stale or garbled cookie is no login
        return None
    actor = signed.get("a") if isinstance(signed, dict) else None
    expires = signed.get("e") if isinstance(signed, dict) else None
    if expires:
        from datasette.utils import baseconv

        if dt.datetime.now(dt.UTC).timestamp() > baseconv.base62.decode(expires):
            return None
    return actor if isinstance(actor, dict) and actor.get("id") else None


async def _send(send, status: int, message: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    """A small page of its own: these answers are given before Datasette (and its templates) see the request."""
    body = f'<!DOCTYPE html>\n<title>{status}</title>\n<p>{html.escape(message)}</p>\n<p><a href="/-/officer">Officer pages</a></p>\n'
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


@hookimpl
def asgi_wrapper(datasette):
    """Everything but the login page needs a logged-in officer; uploads over the size limit are cut off."""

    def wrap(app):
        async def officers_only(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            path = scope.get("path", "")
            if not path.startswith(PUBLIC_PATHS) and _actor(datasette, scope) is None:
                if scope.get("method") in ("GET", "HEAD"):
                    return await _send(send, 302, "log in first", [(b"location", b"/-/login")])
                return await _send(send, 403, "log in first")
            if path == UPLOAD_PATH and scope.get("method") == "POST":
                limit = max_upload_bytes(datasette) + FORM_SLACK
                length = dict(scope.get("headers") or []).get(b"content-length")
                if length and length.isdigit() and int(length) > limit:
                    return await _send(send, 413, too_large(max_upload_bytes(datasette)))
                receive = _capped(receive, limit)
            try:
                return await app(scope, receive, send)
            except _TooLarge:  # raised while asgi-csrf reads the body, before any response has started
                return await _send(send, 413, too_large(max_upload_bytes(datasette)))

        return officers_only

    return wrap


class _TooLarge(Exception):
    pass


def _capped(receive, limit: int):
    """``receive`` that gives up once more than ``limit`` bytes have come (a body with no Content-Length)."""
    seen = 0

    async def capped():
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise _TooLarge
        return message

    return capped


def too_large(limit: int) -> str:
    return f"the file is over the {limit / 2**20:g} MB upload limit"


_KEEP_OPEN: dict[int, Any] = {}  # id(datasette) -> a connection held open for the server's life


@hookimpl
def startup(datasette):
    """Open the working database once, read-write, and keep it open.

    Datasette reads a mutable database through ``mode=ro`` connections. A read-only connection that
    finds a WAL database without its ``-shm`` file (nobody had it open) keeps a private WAL index,
    cannot see the WAL frames ingest and corrections then write, and reads pages as "malformed".
    While this connection is open the ``-shm`` file exists and every reader shares it.
    """

    async def inner():
        db = await minutes_database(datasette)
        if db.path and id(datasette) not in _KEEP_OPEN:
            _KEEP_OPEN[id(datasette)] = store.connect(db.path)  # also brings an older schema up to date

    return inner


@hookimpl
def skip_csrf(scope):
    """The upload form is checked by :func:`check_csrf` instead: asgi-csrf 0.11 fails on multipart bodies.

    (It passes ``FileClass`` to python-multipart's FormParser, which the pinned 0.0.34 no longer accepts.)
    """
    return scope.get("path") == UPLOAD_PATH and scope.get("method") == "POST"


def check_csrf(datasette, request, token: str | None) -> bool:
    """asgi-csrf's own rule: the form's token equals the ``ds_csrftoken`` cookie, which carries this site's signature."""
    cookie = request.cookies.get("ds_csrftoken", "")
    if not cookie or not token or not secrets.compare_digest(token, cookie):
        return False
    try:
        datasette.unsign(cookie, "csrftoken")
    except Exception:  # itsdangerous.BadSignature: a cookie this site did not set
        return False
    return True


@hookimpl
def register_routes():
    """The officer pages (see the module docs)."""
    return [
        (r"^/-/officer$", home),
        (r"^/-/officer/upload$", upload),
        (r"^/-/officer/drafts/(?P<document_id>[^/]+)$", draft_page),
        (r"^/-/officer/find$", find_action),
        (r"^/-/officer/actions/(?P<ref>.+)$", action_page),
        (r"^/-/officer/final$", make_final),
        (r"^/-/officer/publish$", publish_page),
    ]


@hookimpl
def menu_links(datasette, actor):
    """A link to the officer pages in the menu, once logged in."""
    if actor:
        return [{"href": datasette.urls.path("/-/officer"), "label": "Officer pages"}]


def _who(request) -> str:
    actor = request.actor or {}
    return str(actor.get("id") or "")


async def _db_path(datasette) -> Path:
    db = await minutes_database(datasette)
    if not db.path:
        raise NotFound("the officer pages need a database file")
    return Path(db.path)


async def _in_thread(fn, *args, **kwargs):
    # ingest, publish and corrections open their own connection and may take seconds (spaCy, VACUUM)
    return await asyncio.get_running_loop().run_in_executor(None, partial(fn, *args, **kwargs))


async def _render(datasette, request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    db = await minutes_database(datasette)
    context = {"database": db.name, "officer": _who(request), **context}
    page = await datasette.render_template(template, context, request=request)
    return Response.html(page, status=status)


async def home(datasette, request):
    return await _home(datasette, request)


async def _home(datasette, request, messages: list[str] | None = None, errors: list[str] | None = None, status=200):
    db = await minutes_database(datasette)
    drafts = [
        dict(r)
        for r in await db.execute(
            "select d.id, d.path, d.title, d.format, d.meeting_date, d.n_items, d.n_actions, d.ingested_at, "
            "c.name as council, k.name as committee from documents d left join councils c on c.id = d.council_id "
            "left join committees k on k.id = d.committee_id where d.draft = 1 order by d.ingested_at desc"
        )
    ]
    corrections = []
    if await db.table_exists("overrides"):
        corrections = [dict(r) for r in await db.execute("select * from overrides order by id desc limit 20")]
    for row in drafts + corrections:
        row["href"] = tilde_encode(str(row.get("action_id") or row["id"]))
    return await _render(
        datasette,
        request,
        "officer_home.html",
        {
            "drafts": drafts,
            "corrections": corrections,
            "messages": messages or [],
            "errors": errors or [],
            "max_upload_mb": max_upload_bytes(datasette) / 2**20,
            "public_db": settings(datasette).get("public_db"),
            "form": {},
        },
        status=status,
    )


def parse_form(content_type: str, body: bytes) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """A multipart/form-data body's text fields, and its ``file`` field as (file name, bytes)."""
    if not content_type.startswith("multipart/form-data"):
        raise BadUpload("the upload form must be sent as multipart/form-data")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, str] = {}
    upload = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if name == "file":
            upload = (part.get_filename() or "", data)
        elif name:
            fields[name] = data.decode("utf-8", "replace")
    return fields, upload


def safe_name(name: str) -> str:
    """A file name that cannot leave the uploads folder or confuse a shell: 'Cabinet minutes (v2).pdf' -> 'Cabinet_minutes_v2_.pdf'."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")
    return base[-80:] or "upload"


def check_upload(upload: tuple[str, bytes] | None, limit: int) -> tuple[str, bytes, str]:
    """(file name, bytes, format) of an acceptable upload; :class:`BadUpload` with a one-line reason otherwise."""
    if upload is None or not upload[0]:
        raise BadUpload("choose a file to upload")
    name, data = upload
    if len(data) > limit:
        raise BadUpload(f"{safe_name(name)}: {too_large(limit)}")
    if not data.strip():
        raise BadUpload(f"{safe_name(name)}: the file is empty")
    try:
        fmt = sniff(data)
    except PipelineError as e:
        raise BadUpload(f"{safe_name(name)}: {e}") from None
    return name, data, fmt


def _meta(fields: dict[str, str]) -> Metadata:
    date = (fields.get("meeting_date") or "").strip() or None
    if date:
        try:
            date = dt.date.fromisoformat(date).isoformat()
        except ValueError:
            raise BadUpload(f"meeting date {date!r} is not a date in YYYY-MM-DD form") from None
    return Metadata(
        council=(fields.get("council") or "").strip() or None,
        committee=(fields.get("committee") or "").strip() or None,
        meeting_date=date,
        draft=fields.get("draft") == "1",
    )


def ingest_upload(db_path: Path, folder: Path, name: str, data: bytes, meta: Metadata) -> tuple[Path, Any, str | None]:
    """Save the bytes under ``folder`` and ingest them as the command line does (ingest_all, then the register).

    :returns: (saved path, ingest summary, register summary line or None).
    """
    from ..ingest import Source, ingest_all
    from ..track import rebuild

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:12]}-{safe_name(name)}"
    path.write_bytes(data)
    summary = ingest_all([Source(path, meta)], db_path, echo=lambda _: None)
    register = None
    db = store.connect(db_path)
    try:
        if summary.failed and meta.draft:
            # the officer sees the reason on the page; a failed draft must leave nothing for publish to show
            store.forget_error(db, str(path))
            path.unlink(missing_ok=True)
        if summary.stored or summary.replaced:
            register = rebuild(db).lines()[0]
    finally:
        db.close()
    return path, summary, register


async def upload(datasette, request):
    if request.method != "POST":
        return Response.redirect("/-/officer")
    limit = max_upload_bytes(datasette)
    try:
        body = await request.post_body()
    except _TooLarge:
        return await _home(datasette, request, errors=[too_large(limit)], status=413)
    db_path = await _db_path(datasette)
    try:
        fields, file = parse_form(request.headers.get("content-type", ""), body)
        if not check_csrf(datasette, request, fields.get("csrftoken")):
            return Response.text("CSRF token missing or wrong: reload the page and try again", status=403)
        name, data, _fmt = check_upload(file, limit)
        meta = _meta(fields)
    except BadUpload as e:
        return await _home(datasette, request, errors=[str(e)], status=400)
    folder = Path(settings(datasette).get("uploads") or db_path.parent / "uploads")
    path, summary, register = await _in_thread(ingest_upload, db_path, folder, name, data, meta)
    if summary.failed:
        return await _home(datasette, request, errors=summary.errors, status=400)
    doc_id = store.document_id(str(path))
    if meta.draft:
        return Response.redirect(f"/-/officer/drafts/{tilde_encode(doc_id)}?uploaded=1")
    line = summary.line(path.name) + (f"; register {register}" if register else "")
    return await _home(datasette, request, messages=[line])


async def draft_page(datasette, request):
    db = await minutes_database(datasette)
    doc_id = tilde_decode(request.url_vars["document_id"])
    docs = [
        dict(r)
        for r in await db.execute(
            "select d.*, c.name as council, k.name as committee from documents d "
            "left join councils c on c.id = d.council_id left join committees k on k.id = d.committee_id "
            "where d.id = ?",
            [doc_id],
        )
    ]
    if not docs:
        raise NotFound(f"no document {doc_id}")
    doc = docs[0]
    doc.pop("text", None)
    items = [
        dict(r)
        for r in await db.execute(
            "select seq, kind, text, action, owner, due, due_text, minute_number from items where document_id = ? order by seq",
            [doc_id],
        )
    ]
    actions = []
    if await db.table_exists("actions"):
        actions = [
            dict(r)
            for r in await db.execute(
                "select id, reference, text, owner, due, status, status_reason from actions where document_id = ? "
                "order by start",
                [doc_id],
            )
        ]
    for a in actions:
        a["href"] = tilde_encode(a["id"])
    return await _render(
        datasette,
        request,
        "officer_draft.html",
        {
            "doc": doc,
            "doc_href": tilde_encode(doc_id),
            "items": items,
            "actions": actions,
            "uploaded": bool(request.args.get("uploaded")),
        },
    )


async def find_action(request):
    ref = (request.args.get("ref") or "").strip()
    return Response.redirect(f"/-/officer/actions/{tilde_encode(ref)}" if ref else "/-/officer#correct")


async def action_page(datasette, request):
    from ..track.overrides import FIELDS, STATUSES, record

    db = await minutes_database(datasette)
    ref = tilde_decode(request.url_vars["ref"])
    rows = (
        [dict(r) for r in await db.execute("select * from actions where id = ? or reference = ?", [ref, ref])]
        if await db.table_exists("actions")
        else []
    )
    if not rows:
        raise NotFound(f"no action {ref}")
    action = rows[0]
    errors: list[str] = []
    saved: list[dict] = []
    status = 200
    if request.method == "POST":
        form = await request.post_vars()
        note = form.get("note")
        for field in FIELDS:
            if field not in form:
                continue
            value = form[field].strip() or None
            if (value or None) == (action[field] or None):
                continue
            try:
                saved.append(
                    await _in_thread(
                        _record, await _db_path(datasette), action["id"], field, value, _who(request), note, record
                    )
                )
            except BadOverride as e:
                errors.append(str(e))
                status = 400
        if saved and not errors:
            return Response.redirect(f"/-/officer/actions/{tilde_encode(action['id'])}?saved={len(saved)}")
        rows = [dict(r) for r in await db.execute("select * from actions where id = ?", [action["id"]])]
        action = rows[0]
    history = [
        dict(r)
        for r in await db.execute(
            "select * from overrides where action_id = ? or (document_id = ? and action_text = ?) order by id desc",
            [action["id"], action["document_id"], action["text"]],
        )
    ]
    return await _render(
        datasette,
        request,
        "officer_action.html",
        {
            "action": action,
            "statuses": STATUSES,
            "errors": errors,
            "saved": request.args.get("saved"),
            "history": history,
            "doc_href": tilde_encode(action["document_id"]),
        },
        status=status,
    )


def _record(db_path: Path, action_id: str, field: str, value, who: str, note, record) -> dict:
    db = store.connect(db_path)
    try:
        return record(db, action_id, field, value, who=who, note=note)
    finally:
        db.close()


def _set_final(db_path: Path, doc_id: str) -> bool:
    db = store.connect(db_path)
    try:
        return store.set_draft(db, doc_id, False)
    finally:
        db.close()


async def make_final(datasette, request):
    if request.method != "POST":
        return Response.redirect("/-/officer")
    form = await request.post_vars()
    changed = await _in_thread(_set_final, await _db_path(datasette), form.get("document_id", ""))
    if not changed:
        return await _home(datasette, request, errors=["no such draft"], status=400)
    return await _home(datasette, request, messages=["marked final: it will be in the next publish"])


async def publish_page(datasette, request):
    from .public import publish

    if request.method != "POST":
        return Response.redirect("/-/officer")
    out = settings(datasette).get("public_db")
    if not out:
        return await home(
            datasette, request, errors=["no public database configured (officer --public-db)"], status=400
        )
    try:
        done = await _in_thread(publish, await _db_path(datasette), out)
    except PipelineError as e:
        return await _home(datasette, request, errors=[str(e)], status=500)
    return await _home(datasette, request, messages=[f"published {done.line()}"])


PASSWORD_HASH_ENV = "MINUTES_OFFICER_PASSWORD_HASH"


def officer_metadata(
    base: dict[str, Any],
    *,
    user: str,
    public_db: Path,
    uploads: Path,
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB,
    password_hash_env: str = PASSWORD_HASH_ENV,
) -> dict[str, Any]:
    """The officers' instance's metadata: the public site's, behind a login, with this plugin's settings.

    The password hash is not written into the file: datasette-auth-passwords reads it from the
    environment variable ``password_hash_env`` when the server starts.
    """
    meta = {**base, "title": f"{base.get('title', 'Council minutes')}: officers"}
    meta["allow"] = {"id": "*"}  # Datasette's own pages: logged-in actors only (the ASGI guard covers the rest)
    meta["allow_sql"] = {"id": "*"}
    plugins = dict(base.get("plugins") or {})
    plugins["datasette-auth-passwords"] = {f"{user}_password_hash": {"$env": password_hash_env}}
    plugins[PLUGIN] = {"public_db": str(public_db), "uploads": str(uploads), "max_upload_mb": max_upload_mb}
    meta["plugins"] = plugins
    return meta
