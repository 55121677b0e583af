"""Start the published site as a real ``datasette serve`` process, for browser tests and screenshots.

:func:`serve_command` is the one command line the Makefile, the tests and the screenshot
script share; :func:`running` starts it on a free loopback port, waits until it answers and
stops it afterwards.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import METADATA, OFFICER_PLUGINS_DIR, PLUGINS_DIR, ROOT

HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
# the settings of the Makefile's serve recipe: read-only (docs/safety.md), no arbitrary SQL, 1 s a query;
# no facet suggestions (each costs queries on every table page) and a facet that cannot finish in
# 100 ms is dropped from the page rather than holding it up (docs/publishing.md, "Speed")
SETTINGS = {
    "default_allow_sql": "off",
    "sql_time_limit_ms": "1000",
    "max_returned_rows": "1000",
    "allow_download": "off",
    "suggest_facets": "off",
    "facet_time_limit_ms": "100",
}


class ServerFailed(RuntimeError):
    """The datasette process exited or did not answer in time."""


def datasette_bin() -> str:
    """The datasette script next to the running Python (the project's .venv)."""
    return str(Path(sys.executable).with_name("datasette"))


def serve_command(db: Path, *, port: int, host: str = HOST, immutable: bool = True) -> list[str]:
    """``datasette serve`` over ``db`` with the project's metadata, plugin and settings."""
    cmd = [datasette_bin(), "serve"]
    cmd += ["-i", str(db)] if immutable else [str(db)]
    cmd += ["-m", str(METADATA), "--plugins-dir", str(PLUGINS_DIR), "-h", host, "-p", str(port)]
    for name, value in SETTINGS.items():
        cmd += ["--setting", name, value]
    return cmd


def officer_command(db: Path, metadata: Path, *, port: int, host: str = HOST) -> list[str]:
    """``datasette serve`` for the officers' instance: ``db`` writable, the officer plugin, SQL for logged-in users."""
    cmd = [datasette_bin(), "serve", str(db), "-m", str(metadata), "--plugins-dir", str(OFFICER_PLUGINS_DIR)]
    cmd += ["-h", host, "-p", str(port), "--setting", "sql_time_limit_ms", "5000", "--setting", "allow_download", "off"]
    return cmd


def free_port(host: str = HOST) -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextmanager
def running(
    db: Path,
    *,
    port: int | None = None,
    log: Path | None = None,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = START_TIMEOUT_S,
) -> Iterator[str]:
    """Serve ``db`` until the block ends; yields the base URL, e.g. ``http://127.0.0.1:40123/``.

    :param command: another command line to run instead of :func:`serve_command` (it must listen on ``port``).
    :param env: the process's environment (default: this one's).
    :param timeout: seconds it may take to answer (a large immutable database is counted at start).

    :raises ServerFailed: when the process exits early or does not answer within ``timeout`` seconds.
    """
    port = port or free_port()
    url = f"http://{HOST}:{port}/"
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    cmd = command or serve_command(db, port=port)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise ServerFailed(f"{db}: datasette exited with code {proc.returncode} (log: {log})")
            try:
                with urllib.request.urlopen(url + "-/versions.json", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise ServerFailed(f"{db}: datasette did not answer on {url} in {timeout:g} s") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()
