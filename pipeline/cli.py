"""Command line: one command per job, each a thin wrapper over the library."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from .document import Metadata
from .errors import PipelineError
from .readers import MAX_PAGES

DEFAULT_DB = "build/minutes.db"


def file_option(help: str, *names: str, default: str = DEFAULT_DB):
    """A database-file option (``--db`` into ``db_path`` unless ``names`` say otherwise), shown with its default."""
    return click.option(
        *(names or ("--db", "db_path")),
        default=default,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help,
    )


def _date(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


meta_options = [
    click.option("--council", "-c", help="Council that published the document, e.g. 'Sheffield City Council'."),
    click.option("--committee", "-k", help="Committee or body whose meeting it records."),
    click.option("--meeting-date", callback=_date, help="Date of the meeting, YYYY-MM-DD; relative due dates need it."),
]


def with_meta(f):
    for option in reversed(meta_options):
        f = option(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name=None, version="0.1.0", prog_name="pipeline")
def cli():
    """Council Minutes Tracker: turn minutes and reports into a searchable record of
    what was decided, who must act, and by when.

    \b
    Examples:
      python -m pipeline extract minutes.pdf --meeting-date 2024-07-11
      python -m pipeline ingest corpus/ --db build/minutes.db
      python -m pipeline ingest --manifest corpus/manifest.csv --db build/minutes.db
    """


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_meta
@click.option("--pretty/--compact", default=True, show_default=True, help="Indent the JSON.")
@click.option(
    "--rules-only", is_flag=True, help="Leave the trained classifier in models/ out, whatever MINUTES_MODELS says."
)
def extract(
    path: Path, council: str | None, committee: str | None, meeting_date: str | None, pretty: bool, rules_only: bool
):
    """Print the items of one document as JSON (the ANNOTATION.md schema).

    PATH may be .txt, .html, .pdf or .docx; the format is read from the bytes.
    Each item carries kind, text, action, owner, due, due_text and its
    start/end character span in the document's text.
    """
    from .extract.classify import configured
    from .run import run

    try:
        with configured(() if rules_only else None):
            doc = run(path, Metadata(council=council, committee=committee, meeting_date=meeting_date))
    except PipelineError as e:
        raise click.ClickException(str(e)) from None
    out = {
        "source": doc.source,
        "sha256": doc.sha256,
        "format": doc.format,
        "council": doc.meta.council,
        "committee": doc.meta.committee,
        "meeting_date": doc.meta.meeting_date,
        "items": [i.to_json() for i in doc.items],
    }
    json.dump(out, sys.stdout, indent=2 if pretty else None, ensure_ascii=False)
    sys.stdout.write("\n")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(path_type=Path),
    help="SQLite file to write.",
)
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with columns path,council,committee,meeting_date,url.",
)
@with_meta
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when on a terminal).")
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=MAX_PAGES,
    show_default=True,
    help="Refuse PDFs with more pages than this, before parsing them.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Delete stored documents under the given folders whose files no longer exist (never done without it).",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option(
    "--scheduler",
    envvar="DASK_SCHEDULER_ADDRESS",
    show_envvar=True,
    help="Dask scheduler address (e.g. tcp://10.0.0.5:8786) to spread the work over a cluster.",
)
@click.option(
    "--track/--no-track",
    default=True,
    show_default=True,
    help="Bring the action register up to date when anything changed (rebuilding the councils that changed).",
)
@click.option(
    "--draft/--final",
    default=None,
    help="Mark the PATHS as drafts, kept out of `publish` (or as final). Default: as stored; new files are final.",
)
def ingest(
    paths,
    db_path: Path,
    manifest,
    council,
    committee,
    meeting_date,
    progress,
    max_pages,
    prune,
    jobs,
    scheduler,
    track,
    draft,
):
    """Read, structure, extract and store documents in a SQLite database.

    PATHS are files or folders (searched recursively for .txt, .html, .htm,
    .pdf and .docx). A file that cannot be read is recorded in the
    ingest_errors table with a one-line reason and the batch goes on.
    Re-ingesting an unchanged file changes nothing; a changed file replaces
    its rows in one transaction. A file deleted from a folder keeps its rows
    (the summary counts them) until the folder is ingested with --prune.
    Drafts (--draft, or the manifest's draft column) are stored like any
    document but never reach the database `publish` writes.
    """
    from .ingest import Source, collect, ingest_all, read_manifest

    try:
        sources: list[Source] = []
        if manifest:
            sources += read_manifest(manifest)
        sources += collect(
            paths, Metadata(council=council, committee=committee, meeting_date=meeting_date, draft=draft)
        )
    except PipelineError as e:
        raise click.ClickException(str(e)) from None
    folders = [p for p in paths if p.is_dir()]
    if not sources and not (prune and folders):  # pruning a folder whose files are all gone is still work
        raise click.UsageError("nothing to ingest: give files, folders or --manifest")
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        summary = ingest_all(
            sources,
            db_path,
            progress=progress,
            echo=lambda m: click.echo(m, err=True),
            jobs=jobs,
            scheduler=scheduler,
            max_pages=max_pages,
            folders=folders,
            prune=prune,
        )
    except PipelineError as e:  # the database stayed locked by another writer
        raise click.ClickException(str(e)) from None
    line = summary.line(db_path)
    if track and (summary.stored or summary.replaced or summary.pruned):
        from . import store
        from .track import update

        try:  # only the councils whose documents changed are rebuilt
            line += f"; register {update(store.connect(db_path)).lines()[0]}"
        except PipelineError as e:
            raise click.ClickException(str(e)) from None
    click.echo(line)
    if summary.failed and not (summary.stored or summary.replaced or summary.unchanged):
        sys.exit(1)


@cli.command()
@click.argument(
    "gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("../shared/eval/dev")
)
@click.option("--verbose", "-v", is_flag=True, help="Print each document's misses, spurious items and wrong fields.")
@click.option("--split", is_flag=True, help="Report the held-out dev documents (never used for tuning) separately.")
@click.option("--rules-only", is_flag=True, help="Leave the trained classifier in models/ out (the rules alone).")
@click.option(
    "--compare",
    is_flag=True,
    help="Score the rules alone and each use of the trained classifier (items, actions, both) in the same run.",
)
def evaluate(gold_dir: Path, verbose: bool, split: bool, rules_only: bool, compare: bool):
    """Score extraction against gold files in one process (same rules as ../shared/eval/score.py).

    GOLD_DIR defaults to ../shared/eval/dev; corpus/gold works too. `make eval`
    runs the shared scorer itself, one subprocess per document; this command
    gives the same figures in a few seconds.
    """
    from .evaluate import HELD_OUT
    from .evaluate import evaluate as run_eval
    from .extract.classify import COMPARED, configured

    files = sorted(gold_dir.glob("*.json"))
    groups = {"all": files}
    if split:
        groups = {
            "tuned": [f for f in files if f.stem not in HELD_OUT],
            "held out": [f for f in files if f.stem in HELD_OUT],
        }
    settings = COMPARED if compare else {"": () if rules_only else None}
    for name, group in groups.items():
        for setting, uses in settings.items():
            try:
                with configured(uses):
                    report = run_eval(group)
            except PipelineError as e:
                raise click.ClickException(str(e)) from None
            if verbose:
                for doc_id, log in report.logs.items():
                    if log:
                        click.echo(f"{doc_id}:")
                        click.echo("\n".join(log))
            click.echo(f"== {name}" + (f" ({setting})" if setting else ""))
            click.echo("\n".join(report.lines()))


db_option = file_option("SQLite file written by ingest.")
as_of_option = click.option(
    "--as-of",
    callback=_date,
    help="Compute statuses on this date (YYYY-MM-DD), leaving out later meetings. Default: the latest meeting stored.",
)


def _open_store(db_path: Path):
    from . import store

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such database; run `python -m pipeline ingest` first")
    return store.connect(db_path)


@cli.command()
@db_option
@as_of_option
def track(db_path: Path, as_of: str | None):
    """(Re)build the action register from the stored documents and items.

    Derives the actions, owners, item_owners, action_updates, recommendation_links,
    document_meetings and meeting_calendar tables in one transaction, council
    by council, and prints a summary per committee. Running it again on the
    same store writes the same rows. (`ingest` and `status` only rebuild the
    councils whose documents changed, with the same result.) See docs/tracking.md.

    \b
    Examples:
      python -m pipeline track --db build/minutes.db
      python -m pipeline track --db build/minutes.db --as-of 2025-03-31
    """
    from .track import rebuild

    db = _open_store(db_path)
    try:
        summary = rebuild(db, as_of)
    except PipelineError as e:
        raise click.ClickException(str(e)) from None
    click.echo("\n".join(summary.lines()))


@cli.command()
@click.argument("refs", nargs=-1)
@db_option
@as_of_option
@click.option("--committee", "-k", help="Only actions of committees or councils whose name or id contains this.")
@click.option(
    "--only",
    type=click.Choice(["open", "overdue", "updated", "done"]),
    multiple=True,
    help="Only actions with this status (repeatable).",
)
@click.option("--list", "as_list", is_flag=True, help="List the actions, one per line, after the summary.")
def status(refs, db_path: Path, as_of: str | None, committee: str | None, only: tuple[str, ...], as_list: bool):
    """Update the register; print a summary per committee, or one action with its evidence.

    Only councils whose documents changed since the last build are rebuilt
    (with --as-of, the whole register is rebuilt for that date). REFS are action references as printed by --list (CYPS/2025-01-14/3) or
    item ids. Each is shown with its owner, due date, status, the one-line
    reason and every later passage linked to it.

    \b
    Examples:
      python -m pipeline status --db build/minutes.db
      python -m pipeline status --db build/minutes.db --list --only overdue
      python -m pipeline status CYPS/2025-01-14/3 --db build/minutes.db
    """
    from .track import rebuild, update
    from .track.register import describe, find_action, list_actions

    db = _open_store(db_path)
    try:
        summary = rebuild(db, as_of) if as_of else update(db)
    except PipelineError as e:
        raise click.ClickException(str(e)) from None
    if refs:
        missing = []
        for ref in refs:
            action = find_action(db, ref)
            if action is None:
                missing.append(ref)
                continue
            click.echo("\n".join(describe(action)))
        if missing:
            raise click.ClickException(f"{db_path}: no action {', '.join(missing)} (see `status --list`)")
        return
    click.echo("\n".join(summary.lines()))
    if as_list or committee or only:
        click.echo("\n".join(list_actions(db, committee, only)))


@cli.group()
def fetch():
    """Fetch minutes from council web services into the database (see docs/sources.md)."""


@fetch.command("moderngov")
@click.option("--site", required=True, help="The ModernGov site's address, e.g. https://democracy.example.gov.uk.")
@click.option("--committee", "-k", help="A committee's id or title. Default: every committee on the site.")
@click.option(
    "--from", "date_from", callback=_date, help="First meeting date, YYYY-MM-DD. Default: a year before --to."
)
@click.option("--to", "date_to", callback=_date, help="Last meeting date, YYYY-MM-DD. Default: today.")
@file_option("SQLite file to write.")
@click.option("--council", "-c", help="The council's name for the metadata. Default: the site's host name.")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True, help="Seconds between requests.")
@click.option("--user-agent", help="User-Agent header; name yourself and a contact. Default: the project's own.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds per request.")
@click.option(
    "--retries",
    type=click.IntRange(min=0, max=10),
    default=3,
    show_default=True,
    help="Further attempts after a timeout, dropped connection, 429 or 5xx (with backoff).",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Ask for every meeting in full, ignoring earlier ETags (unchanged minutes are still not stored again).",
)
def fetch_moderngov(
    site, committee, date_from, date_to, db_path: Path, council, delay, user_agent, timeout, retries, refresh
):
    """Fetch the published minutes of a ModernGov site's meetings and store them.

    Calls the site's web service (mgWebService.asmx: GetCommittees,
    GetMeetings, GetMeeting); each meeting with published minutes is read,
    extracted and stored like an ingested file, under the name
    moderngov://<host>/meeting/<id>. Restricted items are never fetched.
    A second run asks conditionally and stores only what changed. A failing
    meeting is named on one line, recorded in ingest_errors and sources, and
    the run goes on.

    \b
    Examples:
      python -m pipeline fetch moderngov --site https://democracy.example.gov.uk \\
          --committee "Cabinet" --from 2024-01-01 --db build/minutes.db
      python -m pipeline fetch moderngov --site https://democracy.example.gov.uk \\
          --committee 130 --delay 2 --user-agent "MinutesBot/1.0 (you@example.org)"
    """
    from .sources.http import DEFAULT_USER_AGENT, Client
    from .sources.moderngov import fetch as fetch_site
    from .sources.moderngov import site_base

    try:
        site_base(site)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--site") from None
    if date_from and date_to and date_from > date_to:
        raise click.UsageError(f"--from {date_from} is after --to {date_to}")
    client = Client(user_agent=user_agent or DEFAULT_USER_AGENT, delay=delay, timeout=timeout, retries=retries)
    try:
        summary = fetch_site(
            site,
            db_path,
            committee=committee,
            date_from=date_from,
            date_to=date_to,
            council=council,
            client=client,
            refresh=refresh,
            echo=lambda m: click.echo(m, err=True),
        )
    except PipelineError as e:  # no such committee, or the database stayed locked by another writer
        raise click.ClickException(str(e)) from None
    click.echo(summary.line(db_path))
    if summary.failed and not summary.succeeded:
        sys.exit(1)


@cli.command("action-log")
@file_option("SQLite file written by ingest and track.")
@click.option("--committee", "-k", help="Committee: its name or part of it, its id, or its reference initials (CYPS).")
@click.option("--council", "-c", help="Council: narrows --committee; alone, the council meeting as one body.")
@click.option(
    "--format", "fmt", type=click.Choice(["docx", "csv", "md"]), default="docx", show_default=True, help="Output."
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write. Default: build/outstanding-actions-<initials>-<date>.docx; CSV and Markdown go to stdout.",
)
@click.option(
    "--site-url",
    default="http://127.0.0.1:8001",
    show_default=True,
    envvar="MINUTES_SITE_URL",
    show_envvar=True,
    help="Address of the published site, for the links to each action's passage.",
)
def action_log(db_path: Path, committee: str | None, council: str | None, fmt: str, out: Path | None, site_url: str):
    """Write a committee's "Outstanding actions" appendix for its next agenda pack.

    One row per action not yet reported done (open, overdue or updated), oldest
    meeting first: reference, meeting, minute, action, owner, due, status,
    latest update and a link to the source passage. Reads the action register
    built by `python -m pipeline track`; the database is opened read-only.

    \b
    Examples:
      python -m pipeline action-log --committee CYPS --format docx
      python -m pipeline action-log -k "Children and Young People" -c Northmoor --format md
      python -m pipeline action-log --council "Kelsbury Town Council" --format csv -o kelsbury.csv
    """
    import sqlite3

    import sqlite_utils

    from .action_log import action_log as build_log
    from .action_log import write

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such database; run `python -m pipeline ingest` first")
    db = sqlite_utils.Database(sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True))
    try:
        log = build_log(db, db_path, committee, council, site_url)
    except PipelineError as e:
        raise click.ClickException(str(e)) from None
    finally:
        db.close()
    written = write(log, fmt, out, sys.stdout)
    if written:
        n = len(log.rows)
        click.echo(f"{n} outstanding action{'s' if n != 1 else ''} of {log.body.name} written to {written}", err=True)


PUBLIC_DB = "build/public/minutes.db"


@cli.command()
@db_option
@file_option(
    "The public database to write (replaced whole). Name it minutes.db: the site's canned queries expect that.",
    "--out",
    "out",
    default=PUBLIC_DB,
)
def publish(db_path: Path, out: Path):
    """Write the public database: the working one without drafts or any trace of them.

    Copies --db with VACUUM INTO, deletes every draft document and all
    derived from it (agenda items, items, full-text entries, register rows,
    linked passages, corrections), rebuilds the action register with the
    officers' corrections laid over it, rebuilds the full-text indexes and
    vacuums again, so not a byte of draft text is left in the file. Serve
    the result read-only (make serve-public).

    \b
    Example:
      python -m pipeline publish --db build/minutes.db --out build/public/minutes.db
    """
    from .publish.public import publish as write_public

    try:
        done = write_public(db_path, out)
    except PipelineError as e:
        raise click.ClickException(str(e)) from None
    click.echo(done.line())


@cli.command()
@file_option("The working database (drafts included), served writable.")
@file_option("Where the Publish button writes the public database.", "--public-db", default=PUBLIC_DB)
@click.option(
    "--user",
    default="officer",
    show_default=True,
    envvar="MINUTES_OFFICER_USER",
    show_envvar=True,
    help="The login name; its password hash is read from MINUTES_OFFICER_PASSWORD_HASH.",
)
@click.option(
    "--uploads",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for uploaded files. Default: uploads/ beside --db.",
)
@click.option(
    "--max-upload-mb", type=click.FloatRange(min=0.1), default=20, show_default=True, help="Largest upload accepted."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", type=int, default=8002, show_default=True, help="Port to listen on.")
def officer(
    db_path: Path, public_db: Path, user: str, uploads: Path | None, max_upload_mb: float, host: str, port: int
):
    """Serve the officers' instance: upload minutes, preview drafts, correct actions, publish.

    A Datasette over the working database behind a login (datasette-auth-passwords):
    every page needs the password whose hash is in the environment variable
    MINUTES_OFFICER_PASSWORD_HASH. Make one with `.venv/bin/datasette
    hash-password`. Uploads go through the same ingest as `ingest`; corrections
    are kept with the officer's name and the time; Publish runs `publish`.
    Never expose it where the public site is: it serves drafts.

    \b
    Example:
      export MINUTES_OFFICER_PASSWORD_HASH="$(.venv/bin/datasette hash-password)"
      python -m pipeline officer --db build/minutes.db --public-db build/public/minutes.db
    """
    import os

    from .publish import METADATA
    from .publish.officer import PASSWORD_HASH_ENV, officer_metadata
    from .publish.server import officer_command

    if not os.environ.get(PASSWORD_HASH_ENV, "").startswith("pbkdf2_sha256$"):
        raise click.ClickException(
            f"{PASSWORD_HASH_ENV} is not set to a password hash; make one with `.venv/bin/datasette hash-password`"
        )
    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such database; run `python -m pipeline ingest` first")
    meta = officer_metadata(
        json.loads(METADATA.read_text(encoding="utf-8")),
        user=user,
        public_db=public_db.resolve(),
        uploads=(uploads or db_path.parent / "uploads").resolve(),
        max_upload_mb=max_upload_mb,
    )
    meta_path = db_path.parent / ".officer-metadata.json"
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    cmd = officer_command(db_path, meta_path, port=port, host=host)
    click.echo(f"officers' instance on http://{host}:{port}/-/officer (log in as {user})", err=True)
    os.execv(cmd[0], cmd)
