"""The hook for parallel ingest: with --jobs or --scheduler, documents come from pipeline.parallel.run_many,
only files that changed are sent to it, and its results are stored and its failures recorded as in a serial run.

pipeline.parallel is stood in for by a fake that records its call, so these tests check ingest's side
of the contract: run_many(sources, jobs=, scheduler=, max_pages=) yields (source, Document | PipelineError)
in source order.
"""

from __future__ import annotations

import hashlib
import sys
import types

import pytest
from click.testing import CliRunner

from pipeline import store
from pipeline.cli import cli
from pipeline.errors import PipelineError, UnreadableDocument
from pipeline.ingest import Source, collect, ingest_all, process

from .conftest import problems, write_minutes


@pytest.fixture
def fake_parallel(monkeypatch, nlp):
    """A pipeline.parallel whose run_many works serially and remembers how it was called."""
    calls: list[dict] = []

    def run_many(sources, *, jobs=1, scheduler=None, max_pages=2000):
        calls.append({"sources": list(sources), "jobs": jobs, "scheduler": scheduler, "max_pages": max_pages})
        for source in calls[-1]["sources"]:
            if source.path.name.startswith("000"):
                yield source, UnreadableDocument(f"{source.path}: worker could not read it")
                continue
            try:
                yield source, process(source, source.path.read_bytes(), nlp=nlp, max_pages=max_pages)
            except PipelineError as e:
                yield source, e

    module = types.ModuleType("pipeline.parallel")
    module.run_many = run_many
    monkeypatch.setitem(sys.modules, "pipeline.parallel", module)
    return calls


def test_jobs_send_only_changed_files_to_run_many_and_store_its_results(tmp_path, fake_parallel):
    paths = write_minutes(tmp_path / "minutes", 5)
    db_path = tmp_path / "m.db"
    ingest_all(collect([paths[0].parent])[3:], db_path, echo=lambda _: None)  # two files already stored
    summary = ingest_all(collect([paths[0].parent]), db_path, echo=lambda _: None, jobs=2, scheduler=None, max_pages=50)
    (call,) = fake_parallel
    assert [s.path for s in call["sources"]] == paths[:3]  # the unchanged ones never reach the workers
    assert (call["jobs"], call["scheduler"], call["max_pages"]) == (2, None, 50)
    assert (summary.stored, summary.unchanged, summary.failed) == (2, 2, 1)
    db = store.connect(db_path)
    (error,) = db["ingest_errors"].rows
    assert error["reason"] == f"{paths[0]}: worker could not read it"
    assert error["sha256"] == hashlib.sha256(paths[0].read_bytes()).hexdigest()
    assert problems(db_path) == []


def test_a_scheduler_address_alone_selects_run_many(tmp_path, fake_parallel):
    paths = write_minutes(tmp_path / "minutes", 2)
    ingest_all([Source(paths[1])], tmp_path / "m.db", echo=lambda _: None, scheduler="tcp://127.0.0.1:8786")
    assert [(c["jobs"], c["scheduler"]) for c in fake_parallel] == [(1, "tcp://127.0.0.1:8786")]


def test_one_job_and_no_scheduler_never_import_pipeline_parallel(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pipeline.parallel", None)  # importing it now raises ImportError
    paths = write_minutes(tmp_path / "minutes", 1)
    assert ingest_all([Source(paths[0])], tmp_path / "m.db", echo=lambda _: None).stored == 1


def test_the_command_line_passes_jobs_scheduler_and_max_pages_through(tmp_path, monkeypatch):
    seen = {}

    def fake_ingest_all(sources, db_path, **kwargs):
        seen.update(kwargs)
        from pipeline.ingest import Summary

        return Summary(stored=len(sources))

    monkeypatch.setattr("pipeline.ingest.ingest_all", fake_ingest_all)
    paths = write_minutes(tmp_path / "minutes", 1)
    args = ["ingest", str(paths[0]), "--db", str(tmp_path / "m.db"), "--jobs", "3", "--max-pages", "40"]
    result = CliRunner().invoke(cli, args, env={"DASK_SCHEDULER_ADDRESS": "tcp://10.0.0.5:8786"})
    assert result.exit_code == 0, result.output
    assert (seen["jobs"], seen["scheduler"], seen["max_pages"], seen["prune"]) == (3, "tcp://10.0.0.5:8786", 40, False)
    result = CliRunner().invoke(cli, args[:4], env={"DASK_SCHEDULER_ADDRESS": None})
    assert (seen["jobs"], seen["scheduler"]) == (1, None)
