"""A small, polite HTTP client for council web services: one GET at a time, with manners.

Council sites are run on modest servers and some sit behind firewalls that block
anything that looks like a crawler, so every request: names itself with a
descriptive User-Agent, waits a configurable delay after the previous one, asks
conditionally (``If-None-Match`` / ``If-Modified-Since``) when the caller knows the
validators from an earlier fetch, and is retried with bounded exponential backoff
only when retrying can help (timeouts, dropped connections, 429 and 5xx). A 403
from a firewall or a 404 is final at once. Bodies are capped in size and gzip is
accepted and undone here. Built on the standard library's ``urllib`` so the
project needs no HTTP dependency of its own.
"""

from __future__ import annotations

import email.utils
import http.client
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import PipelineError

DEFAULT_USER_AGENT = "council-minutes-tracker/0.1 (+minutes research; fetches public minutes politely; set --user-agent to add a contact)"
DEFAULT_DELAY_S = 1.0  # between the end of one request and the start of the next
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_RETRIES = 3  # after the first attempt
BACKOFF_FIRST_S = 2.0  # the wait before the first retry; it doubles up to BACKOFF_MAX_S
BACKOFF_MAX_S = 60.0
MAX_BODY_BYTES = 200 * 1024 * 1024  # the readers refuse larger files anyway
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
STATUS_HINTS = {
    401: "the site asks for a login",
    403: "the site refused the request; it may block automated access from this network",
    404: "no such page on the site",
    429: "the site says too many requests; try a longer --delay",
}


class FetchFailed(PipelineError):
    """A web request failed: timeout, refused connection or an HTTP error, after any retries."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status that ended it, if any


@dataclass(frozen=True)
class Response:
    """What one GET brought back. ``status`` is 200 (``body`` holds the bytes) or 304 (not modified, no body)."""

    url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class Stats:
    """Requests sent and bytes received by one client, for the run's summary."""

    requests: int = 0
    bytes: int = 0
    not_modified: int = 0
    retries: int = 0
    waits: list[float] = field(default_factory=list)  # every sleep taken, delay and backoff alike


class Client:
    """GETs one URL at a time, politely; see the module docstring for the manners.

    :param delay: seconds to leave between one request finishing and the next starting.
    :param timeout: seconds to wait for a connection or for the next bytes of a response.
    :param retries: further attempts after the first, for failures worth retrying.
    :param sleep: how to wait (tests pass a recorder so they need not wait for real).
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        delay: float = DEFAULT_DELAY_S,
        timeout: float = DEFAULT_TIMEOUT_S,
        retries: int = DEFAULT_RETRIES,
        backoff: float = BACKOFF_FIRST_S,
        max_backoff: float = BACKOFF_MAX_S,
        max_bytes: int = MAX_BODY_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.user_agent = user_agent
        self.delay = max(delay, 0.0)
        self.timeout = timeout
        self.retries = max(retries, 0)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_bytes = max_bytes
        self.stats = Stats()
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None
        # no redirect to file:// or ftp://, and proxies only as the environment sets them
        self._opener = urllib.request.build_opener()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url``; with ``etag`` or ``last_modified`` it asks conditionally and may get a 304.

        :raises FetchFailed: with a one-line message starting with the URL.
        """
        attempt = 0
        while True:
            self._wait(self.delay)
            try:
                return self._once(url, etag, last_modified)
            except _Retryable as e:
                if attempt >= self.retries:
                    tries = f" ({attempt + 1} attempts)" if attempt else ""
                    raise FetchFailed(f"{url}: {e}{tries}") from None
                self._wait_exactly(self._backoff(attempt, e.retry_after))
                self.stats.retries += 1
                attempt += 1

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        wait = self.backoff * 2**attempt
        if retry_after is not None:  # the server's own ask, but never longer than we are prepared to wait
            wait = max(wait, retry_after)
        return min(wait, self.max_backoff)

    def _wait(self, seconds: float) -> None:
        """Sleep until ``seconds`` have passed since the last request finished."""
        if self._last is None or seconds <= 0:
            return
        remaining = self._last + seconds - self._clock()
        if remaining > 0:
            self._wait_exactly(remaining)

    def _wait_exactly(self, seconds: float) -> None:
        self.stats.waits.append(seconds)
        self._sleep(seconds)

    def _once(self, url: str, etag: str | None, last_modified: str | None) -> Response:
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip", "Accept": "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = urllib.request.Request(url, headers=headers, method="GET")
        self.stats.requests += 1
        try:
            with self._opener.open(request, timeout=self.timeout) as r:
                raw = r.read(self.max_bytes + 1)
                self.stats.bytes += len(raw)
                if len(raw) > self.max_bytes:
                    raise FetchFailed(f"{url}: response is over the limit of {_size(self.max_bytes)}")
                body = _decoded(raw, r.headers.get("Content-Encoding"), self.max_bytes, url)
                return Response(
                    url=r.geturl(),
                    status=r.status,
                    body=body,
                    etag=r.headers.get("ETag"),
                    last_modified=r.headers.get("Last-Modified"),
                    content_type=r.headers.get("Content-Type"),
                )
        except urllib.error.HTTPError as e:
            if e.code == 304:
                self.stats.not_modified += 1
                return Response(
                    url=url,
                    status=304,
                    etag=e.headers.get("ETag") or etag,
                    last_modified=e.headers.get("Last-Modified") or last_modified,
                )
            reason = f"HTTP {e.code} {e.reason}".rstrip()
            hint = STATUS_HINTS.get(e.code)
            message = f"{reason} ({hint})" if hint else reason
            if e.code in RETRY_STATUSES:
                raise _Retryable(message, _retry_after(e.headers.get("Retry-After"))) from None
            raise FetchFailed(f"{url}: {message}", e.code) from None
        except TimeoutError:
            raise _Retryable(f"timed out after {self.timeout:g} s") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise _Retryable(f"timed out after {self.timeout:g} s") from None
            raise _Retryable(f"cannot connect ({_one_line(e.reason)})") from None
        except (ConnectionError, http.client.HTTPException) as e:
            raise _Retryable(f"connection failed ({type(e).__name__}: {_one_line(e)})") from None
        finally:
            self._last = self._clock()


class _Retryable(Exception):
    """A failure that another attempt may not meet (timeouts, dropped connections, 429, 5xx)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header, given as seconds or as an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _decoded(raw: bytes, encoding: str | None, max_bytes: int, url: str) -> bytes:
    """The body with gzip undone, refusing one that inflates past ``max_bytes``."""
    if (encoding or "").strip().lower() not in ("gzip", "x-gzip"):
        return raw
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as e:
        raise FetchFailed(f"{url}: corrupt gzip body ({e})") from None
    if len(body) > max_bytes or inflater.unconsumed_tail:
        raise FetchFailed(f"{url}: response inflates past the limit of {_size(max_bytes)}")
    return body


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n:,} bytes"


def _one_line(value: object) -> str:
    return " ".join(str(value).split())[:200] or "no detail"
