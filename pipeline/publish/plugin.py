"""The project's Datasette plugin: one page of its own and a few hooks where Datasette's means fall short.

Hooks (each used by ``datasette_metadata.json`` or the templates in ``templates/``):

- ``register_routes``: ``/-/document/{id}``, a document's text with every item's span
  marked and anchored at ``#item-{n}`` (see :mod:`pipeline.publish.document_page`).
- ``render_cell``: turns ``source`` paths into links to the passage, search snippets'
  markers into ``<mark>``, ``document_id`` into a link to the document page, and the long
  ``documents.text`` into an excerpt with that link. Everything else is left to Datasette.
- ``prepare_connection``: the SQL function ``html_escape(text)``, so canned queries can
  build the Atom feed's HTML content from minute text without trusting it.
- ``register_magic_parameters``: ``:_site_url``, the site's absolute address (the plugin
  setting ``site_url`` or the request's scheme and host), for links in feeds.
- ``extra_template_vars``: the home page's two sentences on what the site holds and how
  fresh it is.

Datasette loads this module through ``pipeline/publish/plugins/council_minutes.py`` with
``--plugins-dir pipeline/publish/plugins``; its templates are found next to it because it
is registered under its import name.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from .document_page import Anchor, MarkedItem, agenda_label, marked_text

PLUGIN = "council-minutes"
DEFAULT_DATABASE = "minutes"
DOCUMENT_PATH = "/-/document/"
SNIPPET_OPEN, SNIPPET_CLOSE = "\ue000", "\ue001"  # what canned queries pass to snippet() around each hit
EXCERPT_CHARS = 300
ITEM_SEQ = re.compile(r":(\d+)$")  # items.id ends with the item's seq: "<document id>:<start>-<end>:<seq>"


def config(datasette) -> dict[str, Any]:
    """This plugin's settings from the metadata's ``plugins.council-minutes`` block (all optional)."""
    return datasette.plugin_config(PLUGIN) or {}


async def minutes_database(datasette):
    """The database the site is about: the plugin's ``database`` setting when it is served, else the first
    database with a documents table (else the first database).

    :raises NotFound: when no database is served at all.
    """
    name = config(datasette).get("database")
    if name in datasette.databases:
        return datasette.get_database(name)
    served = [db for db in datasette.databases.values() if db.name != "_internal"]
    for db in served:
        if await db.table_exists("documents"):
            return db
    if not served:
        raise NotFound("no database is served")
    return served[0]


def site_url(datasette, request) -> str:
    """The site's absolute address without a trailing slash, for links that leave the site (feeds, calendars)."""
    configured = config(datasette).get("site_url")
    if configured:
        return configured.rstrip("/")
    scheme = "https" if datasette.setting("force_https_urls") else request.scheme
    return f"{scheme}://{request.host}{datasette.setting('base_url').rstrip('/')}"


def passage_path(document_id: str, seq: int | str | None = None) -> str:
    """``/-/document/{id}#item-{seq}``: where an item's source passage is shown (without the base URL)."""
    path = DOCUMENT_PATH + tilde_encode(str(document_id))
    return path if seq is None else f"{path}#item-{seq}"


def _get(row, key: str):
    """A value of the row render_cell was given; on table pages a foreign key arrives as {"value", "label"}."""
    try:
        value = row[key]
    except (KeyError, IndexError, TypeError):
        return None
    return value.get("value") if isinstance(value, dict) else value


# --- hooks ---------------------------------------------------------------------------------


@hookimpl
def prepare_connection(conn):
    """html_escape(text): text made safe to put inside HTML (NULL stays NULL)."""
    conn.create_function(
        "html_escape", 1, lambda s: None if s is None else html.escape(str(s), quote=True), deterministic=True
    )


@hookimpl
def register_magic_parameters(datasette):
    """:_site_url in a canned query is the site's absolute address."""

    def site(key, request):
        if key != "url":
            raise KeyError(key)
        return site_url(datasette, request)

    return [("site", site)]


@hookimpl
def register_routes():
    """/-/document/{id}: one document's text with its items marked."""
    return [(r"^/-/document/(?P<document_id>[^/]+)$", document_view)]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Links to source passages and documents, search snippets with their hits marked."""
    if not isinstance(value, str):
        return None
    urls = datasette.urls
    if column == "source" and value.startswith(DOCUMENT_PATH):
        return Markup('<a class="source-link" href="{}">source</a>').format(urls.path(value))
    if column == "snippet" and SNIPPET_OPEN in value:
        marked = str(escape(value)).replace(SNIPPET_OPEN, "<mark>").replace(SNIPPET_CLOSE, "</mark>")
        return Markup(marked)
    if column == "document_id" and table is None:  # query results: Datasette does not link foreign keys there
        return Markup('<a href="{}">{}</a>').format(urls.path(passage_path(value)), value)
    if table == "items" and column == "source_text":
        doc, seq = _get(row, "document_id"), _get(row, "seq")
        if doc is not None and seq is not None:
            return Markup('<a class="source-link" href="{}">{}</a>').format(urls.path(passage_path(doc, seq)), value)
    if table == "actions" and column == "reference":
        doc, m = _get(row, "document_id"), ITEM_SEQ.search(str(_get(row, "id") or ""))
        if doc is not None and m:
            return Markup('<a class="source-link" href="{}">{}</a>').format(
                urls.path(passage_path(doc, m.group(1))), value
            )
    if table == "documents" and column == "text":
        doc = _get(row, "id")
        excerpt = value if len(value) <= EXCERPT_CHARS else value[:EXCERPT_CHARS].rstrip() + "…"
        if doc is None:
            return None
        return Markup('{} <a class="source-link" href="{}">Read it with its items marked</a>').format(
            excerpt, urls.path(passage_path(doc))
        )
    return None


@hookimpl
def extra_template_vars(template, datasette):
    """The home page's summary of what the site holds and how fresh it is."""
    if template != "index.html":
        return {}

    async def inner():
        try:
            db = await minutes_database(datasette)
        except NotFound:
            return {}
        return {"minutes_summary": await site_summary(db), "minutes_charts": charts(datasette, db.name)}

    return inner


# --- the home page's summary -----------------------------------------------------------------


def charts(datasette, database: str) -> list[dict[str, str]]:
    """Canned queries with a ``chart`` (a datasette-vega URL fragment) in the metadata: name, title, fragment."""
    queries = (datasette.metadata(database=database) or {}).get("queries") or {}
    return [
        {"name": name, "title": q.get("title") or name, "fragment": q["chart"]}
        for name, q in queries.items()
        if isinstance(q, dict) and q.get("chart")
    ]


async def site_summary(db) -> dict[str, Any] | None:
    """Counts and the latest meeting, for the home page; None when the database holds no documents."""
    if not await db.table_exists("documents"):
        return None
    counts = (
        await db.execute(
            "select (select count(*) from documents) as documents, (select count(*) from items) as items, "
            "(select count(*) from items where action = 1) as actions, "
            "(select count(distinct council_id) from documents where council_id is not null) as councils, "
            "(select max(ingested_at) from documents) as ingested_at"
        )
    ).first()
    if not counts or not counts["documents"]:
        return None
    latest = (
        await db.execute(
            "select d.meeting_date, c.name as council, k.name as committee from documents d "
            "left join councils c on c.id = d.council_id left join committees k on k.id = d.committee_id "
            "where d.meeting_date is not null order by d.meeting_date desc, d.ingested_at desc limit 1"
        )
    ).first()
    summary = dict(counts)
    summary["database"] = db.name
    summary["has_register"] = await db.table_exists("actions")
    summary["latest_meeting"] = None
    if latest:
        body = latest["committee"] or latest["council"] or "a meeting"
        if latest["committee"] and latest["council"]:
            body = f"{latest['committee']} of {latest['council']}"
        summary["latest_meeting"] = {"body": body, "date": long_date(latest["meeting_date"])}
    summary["ingested_on"] = long_date((counts["ingested_at"] or "")[:10]) if counts["ingested_at"] else None
    return summary


def long_date(iso: str | None) -> str | None:
    """ "2025-05-13" -> "13 May 2025" (the way minutes write dates); anything else as it is."""
    if not iso:
        return None
    try:
        d = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {d:%B %Y}"


# --- /-/document/{id} ------------------------------------------------------------------------


async def document_view(datasette, request):
    """One document's text, escaped, with each item's span marked and a table of its items."""
    db = await minutes_database(datasette)
    await datasette.ensure_permissions(
        request.actor, [("view-table", (db.name, "documents")), ("view-database", db.name), "view-instance"]
    )
    doc_id = request.url_vars["document_id"]
    doc = (
        await db.execute(
            "select d.*, c.name as council, k.name as committee from documents d "
            "left join councils c on c.id = d.council_id left join committees k on k.id = d.committee_id "
            "where d.id = ?",
            [doc_id],
        )
    ).first()
    if doc is None:
        raise NotFound(f"No document {doc_id}")
    agendas = [dict(r) for r in await db.execute(
        "select idx, number, title, start, [end] from agenda_items where document_id = ? order by idx", [doc_id]
    )]  # fmt: skip
    items = [dict(r) for r in await db.execute("select * from items where document_id = ? order by seq", [doc_id])]
    register: dict[str, dict] = {}
    if await db.table_exists("actions"):
        register = {
            r["id"]: dict(r)
            for r in await db.execute(
                "select id, reference, status, status_reason, latest_update from actions where document_id = ?",
                [doc_id],
            )
        }
    text = doc["text"] or ""
    rows = []
    marks = []
    for item in items:
        action = register.get(item["id"], {})
        agenda = agenda_label(item.get("minute_number"), item.get("agenda_item_title"))
        mark = MarkedItem(
            n=item["seq"], start=item["start"], end=item["end"], kind=item["kind"] or "", agenda=agenda,
            page=item.get("page"), status=action.get("status"),
        )  # fmt: skip
        marks.append(mark)
        rows.append({**item, "agenda": agenda, "status": action.get("status"), "reference": action.get("reference"),
                     "status_reason": action.get("status_reason"), "row_path": tilde_encode(item["id"])})  # fmt: skip
    anchors = [Anchor(f"agenda-{a['idx']}", a["start"]) for a in agendas if a["start"] is not None]
    heading = doc["title"] or " – ".join(
        filter(None, [doc["committee"] or doc["council"], long_date(doc["meeting_date"])])
    )
    context = {
        "database": db.name,
        "doc": dict(doc),
        "heading": heading or doc["path"],
        "meeting_date": long_date(doc["meeting_date"]),
        "items": rows,
        "agendas": agendas,
        "body": marked_text(text, marks, anchors),
        "has_pages": any(r.get("page") for r in rows),
        "has_themes": any(r.get("theme") for r in rows),
        "row_path": tilde_encode(doc["id"]),
        # only web addresses become links: a manifest could hold anything
        "url": doc["url"] if (doc["url"] or "").startswith(("https://", "http://")) else None,
    }
    return Response.html(await datasette.render_template("document.html", context, request=request))
