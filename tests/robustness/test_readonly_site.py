"""The public site is read-only: served the way `make serve` (and so `make demo`) serves it, it refuses writes
and arbitrary SQL, caps query time and page size, offers no download of the file, and its canned queries still run.

The Datasette options are read from the Makefile's serve recipe, so the test checks what users run.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.cli import cli as datasette_cli

from pipeline.ingest import ingest_all, read_manifest

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = ROOT / "Makefile"
METADATA = json.loads((ROOT / "datasette_metadata.json").read_text(encoding="utf-8"))
# Plugins that add a way to change data; none may be installed where the public site runs.
WRITE_PLUGINS = {
    "datasette-write", "datasette-insert", "datasette-upload-csvs", "datasette-edit-schema", "datasette-write-ui",
    "datasette-edit-templates", "datasette-import", "datasette-upload-dbs", "datasette-configure-fts",
}  # fmt: skip


def serve_arguments() -> list[str]:
    """The arguments the Makefile's serve recipe gives `datasette`, with $(DB) left as the placeholder DB."""
    text = MAKEFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    recipe = re.search(r"^serve:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert recipe, "the Makefile has no serve recipe"
    command = next(line for line in recipe.group(1).splitlines() if "datasette serve" in line)
    args = shlex.split(command.replace("$(DB)", "DB"))
    return args[args.index("serve") + 1 :]


def settings_of(args: list[str]) -> dict[str, object]:
    values = {"on": True, "off": False, "true": True, "false": False}
    pairs = [args[i + 1 : i + 3] for i, a in enumerate(args) if a == "--setting"]
    return {name: int(v) if v.isdigit() else values.get(v.lower(), v) for name, v in pairs}


@pytest.fixture(scope="module")
def minutes_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("site") / "minutes.db"
    sources = [s for s in read_manifest(ROOT / "corpus" / "manifest.csv") if s.path.suffix == ".txt"]
    assert ingest_all(sources, path, echo=lambda _: None).items > 0
    return path


def option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def public_site(db: Path, metadata: dict, **overrides) -> Datasette:
    """A Datasette configured exactly as the serve recipe configures it, but for ``overrides`` of its settings."""
    args = serve_arguments()
    assert option(args, "-i") == "DB", "the database must be served immutable (-i)"
    assert "DB" not in [a for i, a in enumerate(args) if i == 0 or args[i - 1] != "-i"], "DB is also served mutable"
    flags = (("plugins_dir", "--plugins-dir"), ("template_dir", "--template-dir"))
    dirs = {key: str(ROOT / value) for key, flag in flags if (value := option(args, flag))}
    ds = Datasette(immutables=[str(db)], metadata=metadata, settings=settings_of(args) | overrides, **dirs)
    asyncio.run(ds.invoke_startup())
    return ds


# Two ways to turn off arbitrary SQL: the serve recipe's default_allow_sql setting, or the same rule
# in the metadata ("allow_sql": false at its top level), which binds however the site is launched.
# Each is checked on its own.
VARIANTS = {
    "make serve": (METADATA, {}),
    "metadata allow_sql false": (METADATA | {"allow_sql": False}, {"default_allow_sql": True}),
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def site(request, minutes_db):
    metadata, overrides = VARIANTS[request.param]
    ds = public_site(minutes_db, metadata, **overrides)

    def fetch(method: str, path: str, **kwargs) -> httpx.Response:
        return asyncio.run(getattr(ds.client, method)(path, **kwargs))

    fetch.ds = ds
    return fetch


def test_the_serve_recipe_sets_every_limit():
    assert settings_of(serve_arguments()) == {
        "default_allow_sql": False,
        "sql_time_limit_ms": 1000,
        "max_returned_rows": 1000,
        "allow_download": False,
        "suggest_facets": False,
        "facet_time_limit_ms": 100,
    }


def test_datasette_accepts_the_serve_recipe_as_written(minutes_db):
    # the real command line, answering one request in-process (datasette serve --get)
    args = [
        str(minutes_db) if a == "DB" else a for a in serve_arguments() if a not in ("-h", "-p", "127.0.0.1", "8001")
    ]
    args = [a if a != "datasette_metadata.json" else str(ROOT / a) for a in args]
    loop = asyncio.new_event_loop()  # `serve --get` uses the current loop, which asyncio.run() elsewhere has closed
    asyncio.set_event_loop(loop)
    try:
        result = CliRunner().invoke(datasette_cli, ["serve", *args, "--get", "/-/databases.json"])
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    assert result.exit_code == 0, result.output
    (database,) = json.loads(result.output)
    assert database["name"] == "minutes" and database["is_mutable"] is False


def test_arbitrary_sql_is_refused(site):
    assert site("get", "/minutes.json", params={"sql": "select * from items"}).status_code == 403
    assert site("get", "/minutes", params={"sql": "select 1"}).status_code == 403
    # _where= is arbitrary SQL in a table's filter
    assert site("get", "/minutes/agenda_items.json", params={"_where": "1=1"}).status_code == 403


def test_canned_queries_still_run(site):
    # the canned queries over the tables ingest writes; others need the action register built by `make db`
    r = site("get", "/minutes/search_items.json", params={"q": "circulate", "_shape": "array"})
    assert r.status_code == 200 and r.json() and all("circulat" in row["text"].lower() for row in r.json())
    r = site("get", "/minutes/recent_ingest_errors.json", params={"_shape": "array"})
    assert r.status_code == 200 and r.json() == []


def test_tables_still_browse_and_filter(site):
    r = site("get", "/minutes/agenda_items.json", params={"title__contains": "Minutes", "_shape": "array"})
    assert r.status_code == 200 and r.json() and all("minutes" in row["title"].lower() for row in r.json())


def test_nothing_can_be_written(site, minutes_db):
    before = _counts(minutes_db)
    db = site.ds.get_database("minutes")
    assert db.is_mutable is False
    with pytest.raises(AssertionError):  # Datasette's own write path refuses an immutable database
        asyncio.run(db.execute_write("delete from items"))
    assert site("post", "/minutes/search_items", data={"q": "x"}).status_code >= 400  # no writable canned queries
    assert site("get", "/minutes.json", params={"sql": "delete from items"}).status_code >= 400
    assert _counts(minutes_db) == before


def test_the_database_file_cannot_be_downloaded(site):
    assert site("get", "/minutes.db").status_code == 403


def test_a_page_is_capped_at_max_returned_rows(site):
    assert site("get", "/minutes/agenda_items.json", params={"_size": "1001"}).status_code == 400
    r = site("get", "/minutes/agenda_items.json", params={"_size": "max", "_shape": "objects"})
    assert r.status_code == 200 and 0 < len(r.json()["rows"]) <= 1000


def test_a_slow_query_is_stopped_at_the_time_limit(minutes_db):
    # a canned query that would count to a billion stands in for an expensive search
    metadata = json.loads(json.dumps(METADATA))
    metadata["databases"]["minutes"]["queries"]["slow"] = {
        "sql": "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000000000) select count(*) from n"
    }
    ds = public_site(minutes_db, metadata)
    r = asyncio.run(ds.client.get("/minutes/slow.json"))
    assert r.status_code == 400 and "SQL query took too long" in r.text


def test_no_plugin_that_writes_is_installed(site):
    installed = {p["name"] for p in site("get", "/-/plugins.json").json()}
    assert not installed & WRITE_PLUGINS


def _counts(db: Path) -> tuple[int, int]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return tuple(conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("items", "documents"))
