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
def extract(path: Path, council: str | None, committee: str | None, meeting_date: str | None, pretty: bool):
    """Print the items of one document as JSON (the ANNOTATION.md schema).

    PATH may be .txt, .html, .pdf or .docx; the format is read from the bytes.
    Each item carries kind, text, action, owner, due, due_text and its
    start/end character span in the document's text.
    """
    from .run import run

    try:
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
def ingest(
    paths, db_path: Path, manifest, council, committee, meeting_date, progress, max_pages, prune, jobs, scheduler
):
    """Read, structure, extract and store documents in a SQLite database.

    PATHS are files or folders (searched recursively for .txt, .html, .htm,
    .pdf and .docx). A file that cannot be read is recorded in the
    ingest_errors table with a one-line reason and the batch goes on.
    Re-ingesting an unchanged file changes nothing; a changed file replaces
    its rows in one transaction. A file deleted from a folder keeps its rows
    (the summary counts them) until the folder is ingested with --prune.
    """
    from .ingest import Source, collect, ingest_all, read_manifest

    try:
        sources: list[Source] = []
        if manifest:
            sources += read_manifest(manifest)
        sources += collect(paths, Metadata(council=council, committee=committee, meeting_date=meeting_date))
    except PipelineError as e:
        raise click.ClickException(str(e)) from None
    if not sources:
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
            folders=[p for p in paths if p.is_dir()],
            prune=prune,
        )
    except PipelineError as e:  # the database stayed locked by another writer
        raise click.ClickException(str(e)) from None
    click.echo(summary.line(db_path))
    if summary.failed and not (summary.stored or summary.replaced or summary.unchanged):
        sys.exit(1)


@cli.command()
@click.argument(
    "gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("../shared/eval/dev")
)
@click.option("--verbose", "-v", is_flag=True, help="Print each document's misses, spurious items and wrong fields.")
@click.option("--split", is_flag=True, help="Report the held-out dev documents (never used for tuning) separately.")
def evaluate(gold_dir: Path, verbose: bool, split: bool):
    """Score extraction against gold files in one process (same rules as ../shared/eval/score.py).

    GOLD_DIR defaults to ../shared/eval/dev; corpus/gold works too. `make eval`
    runs the shared scorer itself, one subprocess per document; this command
    gives the same figures in a few seconds.
    """
    from .evaluate import HELD_OUT, evaluate as run_eval

    files = sorted(gold_dir.glob("*.json"))
    groups = {"all": files}
    if split:
        groups = {
            "tuned": [f for f in files if f.stem not in HELD_OUT],
            "held out": [f for f in files if f.stem in HELD_OUT],
        }
    for name, group in groups.items():
        report = run_eval(group)
        if verbose:
            for doc_id, log in report.logs.items():
                if log:
                    click.echo(f"{doc_id}:")
                    click.echo("\n".join(log))
        click.echo(f"== {name}")
        click.echo("\n".join(report.lines()))
