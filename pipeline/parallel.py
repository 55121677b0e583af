"""Read, structure and extract many documents at once: in worker processes here, or on a Dask cluster.

:func:`run_many` is the one entry point. Each worker reads a file's bytes itself
(so the main process never holds them), runs the same
:func:`pipeline.ingest.process` a serial ingest runs, and sends back the
frozen :class:`~pipeline.document.Document`, or the error as a value. Results
come back as they finish and are put back in source order here, so the single
SQLite writer in the main process stores them exactly as a serial ingest would.
At most ``window`` documents are in flight or waiting to be stored at any time,
so memory does not grow with the number of files.

- ``jobs=1``: in this process, one document after another.
- ``jobs=N``: a pool of N worker processes on this machine (``local="processes"``,
  the default: it measured faster than a Dask ``LocalCluster`` on two cores, see
  BENCHMARKS.md), or a ``LocalCluster`` of N single-threaded workers (``local="dask"``).
- ``scheduler="tcp://host:8786"``: a Dask client on that existing cluster; every
  worker must see the files at the same paths and have this package installed
  (docs/scaling.md).

Each worker process loads the spaCy pipeline once (:func:`pipeline.extract.nlp.build_nlp`
is cached per process) and keeps it for every document it is given.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .document import Document
from .errors import PipelineError
from .ingest import Source, process
from .readers import MAX_PAGES, load

WINDOW_PER_WORKER = 8  # documents in flight or waiting to be stored, per worker
CONNECT_TIMEOUT_S = 30  # for a scheduler that does not answer
LOCAL_ENGINES = ("processes", "dask")

Outcome = Document | Exception


def run_many(
    sources: Sequence[Source],
    jobs: int = 1,
    scheduler: str | None = None,
    max_pages: int = MAX_PAGES,
    *,
    local: str = "processes",
    window: int | None = None,
) -> Iterator[tuple[Source, Outcome]]:
    """Run read -> structure -> extract on every source and yield ``(source, document or error)`` in source order.

    A file that cannot be read comes back as its :class:`~pipeline.errors.PipelineError`, and a
    bug in a reader as the exception it raised: neither stops the batch. A worker process that
    dies on a file (a crash inside a C library) costs that file only, reported as a PipelineError.

    :param jobs: worker processes on this machine; 1 runs everything in this process.
    :param scheduler: address of a running Dask scheduler (``tcp://host:8786``); ``jobs`` is then
        ignored and the cluster's workers do the work.
    :param max_pages: PDFs with more pages are refused before they are parsed.
    :param local: with ``jobs > 1`` and no scheduler, ``"processes"`` (a process pool) or ``"dask"``
        (a Dask ``LocalCluster``).
    :param window: most documents in flight or waiting to be yielded; ``WINDOW_PER_WORKER`` per worker.
    """
    sources = list(sources)
    jobs = min(jobs, len(sources))  # a worker costs seconds to start: never more than there are files
    if scheduler:
        yield from _on_dask(sources, max_pages, window, address=scheduler)
    elif jobs > 1:
        if local not in LOCAL_ENGINES:
            raise ValueError(f"local must be one of {', '.join(LOCAL_ENGINES)}, not {local!r}")
        if local == "dask":
            yield from _on_dask(sources, max_pages, window, workers=jobs)
        else:
            yield from _on_pool(sources, max_pages, window, jobs)
    else:
        for source in sources:
            yield source, work(source, max_pages)


def work(source: Source, max_pages: int = MAX_PAGES) -> Outcome:
    """What a worker does with one source: read the file there, run the pipeline, return the document or the error.

    Errors are returned, not raised: a task that raises means the cluster itself is broken (and
    stops the run), while a bad file, like in a serial ingest, is reported and the batch goes on.
    """
    try:
        return process(source, load(source.path), max_pages=max_pages)
    except Exception as e:
        return _sendable(e)


def _sendable(error: Exception) -> Exception:
    """The error itself if it survives pickling (to go back to the main process), else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")


def _died(source: Source, error: BaseException) -> PipelineError:
    """The error for a file whose worker process died under it (a crash inside a C library, or out of memory)."""
    return PipelineError(
        f"{source.path}: the worker process died reading this file ({type(error).__name__}: {_detail(error)})"
    )


def _detail(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or "no detail"


# --- ordering with a bounded window -------------------------------------------------------------


def in_order(
    submit: Callable[[int], None],
    next_done: Callable[[], tuple[int, Any]],
    n: int,
    window: int,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, result)`` for indexes 0..n-1 in order, whatever order the tasks finish in.

    At most ``window`` tasks are submitted and not yet yielded: a slow document holds back
    the ones after it (they wait here, finished) but never lets the queue grow without bound.

    :param submit: starts task ``i``.
    :param next_done: blocks until one more submitted task has finished; returns its index and result.
    """
    finished: dict[int, Any] = {}
    submitted = yielded = 0
    while yielded < n:
        while submitted < n and submitted - yielded < window:
            submit(submitted)
            submitted += 1
        while yielded not in finished:
            index, result = next_done()
            finished[index] = result
        yield yielded, finished.pop(yielded)
        yielded += 1


# --- a process pool on this machine ------------------------------------------------------------


class _Pool:
    """Worker processes that outlive one of them dying.

    When a worker dies (PDFium crashing on a hostile file, the kernel killing it for memory),
    ``concurrent.futures`` fails every task in flight. Those files are then run again one at a
    time in a pool of one process: the file that kills that one is reported as the culprit,
    the others get their real results, and a fresh pool carries on with the rest.
    """

    def __init__(self, sources: list[Source], max_pages: int, jobs: int, task: Callable[[Source, int], Outcome] = work):
        self.sources, self.max_pages, self.jobs, self.task = sources, max_pages, jobs, task
        self.executor = self._start(jobs)
        self.pending: dict[Future, int] = {}
        self.ready: list[tuple[int, Outcome]] = []

    @staticmethod
    def _start(workers: int) -> ProcessPoolExecutor:
        # spawn, not fork: the parent holds a SQLite connection and threads that a fork would copy half-way
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, i: int) -> None:
        self.pending[self.executor.submit(self.task, self.sources[i], self.max_pages)] = i

    def next_done(self) -> tuple[int, Outcome]:
        while not self.ready:
            done = wait(self.pending, return_when=FIRST_COMPLETED).done
            if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                self._recover()
                continue
            for future in done:
                i = self.pending.pop(future)
                error = future.exception()
                self.ready.append((i, future.result() if error is None else _died(self.sources[i], error)))
        return self.ready.pop()

    def _recover(self) -> None:
        suspects = []
        for future, i in sorted(self.pending.items(), key=lambda kv: kv[1]):
            if future.done() and future.exception() is None:
                self.ready.append((i, future.result()))  # finished before the pool broke
            else:
                suspects.append(i)
        self.pending.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)
        alone = self._start(1)
        for i in suspects:
            try:
                outcome = alone.submit(self.task, self.sources[i], self.max_pages).result()
            except BrokenProcessPool as e:
                outcome = _died(self.sources[i], e)
                alone.shutdown(wait=False)
                alone = self._start(1)
            self.ready.append((i, outcome))
        alone.shutdown()
        self.executor = self._start(self.jobs)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _on_pool(
    sources: list[Source], max_pages: int, window: int | None, jobs: int, task: Callable[[Source, int], Outcome] = work
) -> Iterator[tuple[Source, Outcome]]:
    pool = _Pool(sources, max_pages, jobs, task)
    try:
        for i, outcome in in_order(pool.submit, pool.next_done, len(sources), window or WINDOW_PER_WORKER * jobs):
            yield sources[i], outcome
    finally:
        pool.close()


# --- Dask: a LocalCluster or an existing cluster -------------------------------------------------


def _on_dask(
    sources: list[Source],
    max_pages: int,
    window: int | None,
    *,
    address: str | None = None,
    workers: int = 2,
) -> Iterator[tuple[Source, Outcome]]:
    from distributed import Client, LocalCluster, as_completed
    from distributed.scheduler import KilledWorker

    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.WARNING,
        )
    where = address or "local Dask cluster"
    try:
        client = Client(cluster if cluster is not None else address, set_as_default=False, timeout=CONNECT_TIMEOUT_S)
    except OSError as e:
        raise PipelineError(f"{where}: cannot reach the Dask scheduler ({_detail(e)})") from None
    try:
        slots = sum(client.nthreads().values()) or 1
        batch = uuid.uuid4().hex[:8]  # task keys unique to this run on a shared scheduler
        futures = as_completed(loop=client.loop)

        def submit(i: int) -> None:
            futures.add(client.submit(work, sources[i], max_pages, key=f"pipeline-{batch}-{i}", pure=False))

        def next_done() -> tuple[int, Outcome]:
            future = next(futures)
            i = int(future.key.rsplit("-", 1)[1])
            try:
                outcome = future.result()
            except KilledWorker as e:  # the file took down a worker on each of Dask's attempts
                outcome = _died(sources[i], e)
            except Exception as e:  # the cluster itself is broken: stop rather than fail every file
                raise PipelineError(
                    f"{where}: the cluster could not run the work ({type(e).__name__}: {_detail(e)}); the scheduler "
                    "and every worker need this project and its packages (docs/scaling.md)"
                ) from None
            future.release()
            return i, outcome

        for i, outcome in in_order(submit, next_done, len(sources), window or WINDOW_PER_WORKER * slots):
            yield sources[i], outcome
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
