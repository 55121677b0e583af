"""A fake ModernGov site on 127.0.0.1 for the fetch tests: no test touches the internet.

It answers the web-service GETs (``mgWebService.asmx/GetCommittees``, ``GetMeetings``,
``GetMeeting``) with the XML in ``moderngov_site/``, written for these tests in the real
service's element names, and serves the minutes files they link to (``mgConvert2PDF.aspx?ID=N``
and ``documents/...``) from ``corpus/``. Like a real site it:

- ignores GetMeetings' date range and lists every meeting of the committee;
- prints document links as ``http://<host>/...`` without the port it is really reached at;
- sends ETag and Last-Modified, answers conditional GETs with 304, and gzips XML when asked.

``run = 2`` switches it to the second state (``moderngov_site/run2/`` overrides): meeting 102's
minutes have been amended and meeting 103's draft minutes (DOCX) replaced by the approved
ones (PDF). ``fail(key, mode)`` makes one resource misbehave: "timeout" (answers after
``hang_s``), "403" (a firewall's page), "500", "flaky" (503 twice, then fine), "malformed"
(XML cut short) or "html" (a login page served with 200). Every request is logged in
``hits`` with the bytes sent.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import threading
import time
import urllib.parse
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(__file__).resolve().parent / "moderngov_site"
GENERATED = ROOT / "corpus" / "generated"
HOST_TOKEN = b"SITE-HOST"  # how the XML writes the site's host in its links
LAST_MODIFIED = {1: "Wed, 04 Jun 2025 09:00:00 GMT", 2: "Wed, 09 Jul 2025 09:00:00 GMT"}
RESTRICTED_TEXT = b"Exempt: QUILLWORT-7741 placement details (must never be fetched)\n"
FIREWALL_PAGE = (
    b"<html><body><h1>Access denied</h1><p>Request blocked by the web application firewall.</p></body></html>"
)
MAX_HANG_S = 2.0
COUNCIL = "Northmoor County Council"  # the service does not name its council: the tests pass it
USER_AGENT = "minutes-tests/1.0 (tests@example.org)"  # a "timeout" fault never holds a server thread longer than this


@cache
def health_board_pdf() -> bytes:
    """The Health and Wellbeing Board's papers of 26 March 2025 (corpus/minutes) as a PDF, rendered once."""
    import tempfile

    from pipeline.corpus_formats import parse_minutes, render_pdf

    text = (ROOT / "corpus" / "minutes" / "northmoor-hwb-2025-03-26-strategy-report.txt").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hwb.pdf"
        header = "Northmoor County Council – Health and Wellbeing Board – 26 March 2025"
        render_pdf(parse_minutes(text), header, path, f"Minutes – {header}")
        return path.read_bytes()


def attachments() -> dict[str, bytes]:
    """Each linked document's bytes by attachment id."""
    cyp = GENERATED / "northmoor-cyp-scrutiny-2025-05-13"
    other = (GENERATED / "ashcombe-cabinet-2025-02-19.pdf").read_bytes()  # agendas and packs: never wanted
    return {
        "501": cyp.with_suffix(".docx").read_bytes(),  # draft minutes
        "502": cyp.with_suffix(".pdf").read_bytes(),  # approved minutes
        "801": health_board_pdf(),
        "802": health_board_pdf(),  # the same file published again under the next meeting
        "990": RESTRICTED_TEXT,
        "991": RESTRICTED_TEXT,
        **{aid: other for aid in ("470", "480", "500", "510", "511", "512")},
    }


@dataclass(frozen=True)
class Hit:
    """One request the fake answered."""

    key: str  # "GetCommittees", "GetMeetings:10", "GetMeeting:101", "doc:501", or the path
    status: int  # 0 when the fault was a timeout (no answer in time)
    bytes: int
    user_agent: str
    conditional: bool
    target: str  # the path and query asked for


class FakeModernGov:
    """The fake site; use as a context manager, then ``url`` is its address."""

    def __init__(self) -> None:
        self.run = 1
        self.faults: dict[str, str] = {}
        self.validators = True  # send ETag and Last-Modified
        self.hang_s = 1.0
        self.hits: list[Hit] = []
        self._counts: dict[str, int] = {}
        self._docs = attachments()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- control -----------------------------------------------------------------------------

    def fail(self, key: str, mode: str) -> None:
        self.faults[key] = mode

    def heal(self) -> None:
        self.faults.clear()
        self._counts.clear()

    def requested(self, prefix: str = "") -> list[str]:
        """The keys requested, in order, that start with ``prefix``."""
        return [h.key for h in self.hits if h.key.startswith(prefix)]

    def sent(self) -> int:
        return sum(h.bytes for h in self.hits)

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeModernGov:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                fake._answer(self)

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    # --- serving -----------------------------------------------------------------------------

    def _resource(self, path: str, query: dict[str, str]) -> tuple[str, bytes | None, str]:
        """(key, body or None when there is no such resource, content type)."""
        name = path.rsplit("/", 1)[-1]
        if path.startswith("/mgWebService.asmx/"):
            if name == "GetCommittees":
                return "GetCommittees", self._xml("GetCommittees.xml"), "text/xml"
            if name == "GetMeetings":
                cid = query.get("lCommitteeId", "")
                return f"GetMeetings:{cid}", self._xml(f"GetMeetings-{cid}.xml"), "text/xml"
            if name == "GetMeeting":
                mid = query.get("lMeetingId", "")
                return f"GetMeeting:{mid}", self._xml(f"GetMeeting-{mid}.xml"), "text/xml"
        if name.lower() == "mgconvert2pdf.aspx":
            aid = query.get("ID", "")
            return f"doc:{aid}", self._docs.get(aid), "application/pdf"
        if path.startswith("/documents/g103/") and name.startswith("Draft minutes"):
            return "doc:501", self._docs["501"], "application/octet-stream"
        return path, None, "text/plain"

    def _xml(self, name: str) -> bytes | None:
        for folder in ([SITE / "run2"] if self.run == 2 else []) + [SITE]:
            if (folder / name).exists():
                return (folder / name).read_bytes().replace(HOST_TOKEN, b"127.0.0.1")
        return None

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(h.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        key, body, content_type = self._resource(urllib.parse.unquote(parts.path), query)
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            count = self._counts[key]
        fault = self.faults.get(key)
        conditional = bool(h.headers.get("If-None-Match") or h.headers.get("If-Modified-Since"))
        if fault == "timeout":  # logged now: the client stops listening before the answer
            with self._lock:
                self.hits.append(Hit(key, 0, 0, h.headers.get("User-Agent", ""), conditional, h.path))
            time.sleep(min(self.hang_s, MAX_HANG_S))
            with contextlib.suppress(OSError):
                h.send_response(504)
                h.end_headers()
            return
        if body is None:
            return self._send(h, key, 404, b"Not found", "text/plain", conditional)
        if fault == "403":
            return self._send(h, key, 403, FIREWALL_PAGE, "text/html", conditional)
        if fault == "500":
            return self._send(h, key, 500, b"Server Error in '/' Application.", "text/html", conditional)
        if fault == "flaky" and count <= 2:
            return self._send(h, key, 503, b"Service Unavailable", "text/html", conditional, {"Retry-After": "1"})
        if fault == "malformed":
            body = body[: len(body) // 2]
        if fault == "html":
            return self._send(h, key, 200, FIREWALL_PAGE, "text/html", conditional)
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        last_modified = self._last_modified(key)
        headers = {"ETag": etag, "Last-Modified": last_modified} if self.validators else {}
        if self.validators and _not_modified(h, etag, last_modified):
            return self._send(h, key, 304, b"", None, conditional, headers)
        if content_type == "text/xml" and "gzip" in (h.headers.get("Accept-Encoding") or ""):
            headers["Content-Encoding"] = "gzip"
            body = gzip.compress(body, mtime=0)
        self._send(h, key, 200, body, content_type, conditional, headers)

    def _last_modified(self, key: str) -> str:
        """The second state's date for what it changed, the first state's for everything else."""
        kind, _, ident = key.partition(":")
        changed = self.run == 2 and (SITE / "run2" / f"{kind}-{ident}.xml").exists()
        return LAST_MODIFIED[2 if changed else 1]

    def _send(self, h, key, status, body, content_type, conditional, headers=None) -> None:
        with self._lock:  # logged before the client can have read the answer, so tests never race it
            self.hits.append(Hit(key, status, len(body), h.headers.get("User-Agent", ""), conditional, h.path))
        h.send_response(status)
        if content_type:
            h.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                h.wfile.write(body)


def _not_modified(h: BaseHTTPRequestHandler, etag: str, last_modified: str) -> bool:
    if h.headers.get("If-None-Match"):
        return etag in [t.strip() for t in h.headers["If-None-Match"].split(",")]
    since = h.headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
