"""Fixtures for the fetch tests: the fake ModernGov site, and a fetch into a temporary database."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from fake_moderngov import COUNCIL, USER_AGENT, FakeModernGov

from pipeline.sources.http import Client
from pipeline.sources.moderngov import Summary, fetch


@pytest.fixture
def fake():
    """The fake site, serving its first state; ``fake.run = 2`` switches to the second."""
    with FakeModernGov() as site:
        yield site


class Fetcher:
    """Runs fetches of the fake site into one database, without real waits between requests."""

    def __init__(self, site: FakeModernGov, db_path: Path, nlp) -> None:
        self.site = site
        self.db_path = db_path
        self.nlp = nlp
        self.waits: list[float] = []
        self.messages: list[str] = []

    def __call__(self, *, timeout: float = 5.0, retries: int = 2, **options) -> Summary:
        client = Client(user_agent=USER_AGENT, delay=0.5, timeout=timeout, retries=retries, sleep=self.waits.append)
        options = {"date_from": "2025-01-01", "date_to": "2025-12-31", "council": COUNCIL, **options}
        return fetch(self.site.url, self.db_path, client=client, echo=self.messages.append, nlp=self.nlp, **options)

    def rows(self, sql: str, params: tuple = ()) -> list[dict]:
        with closing(sqlite3.connect(self.db_path)) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql, params)]

    def path(self, meeting_id: int) -> str:
        """The stored name of a meeting's minutes."""
        return f"moderngov://{self.site.url.split('://', 1)[1]}/meeting/{meeting_id}"


@pytest.fixture
def fetcher(fake, tmp_path, nlp) -> Fetcher:
    return Fetcher(fake, tmp_path / "minutes.db", nlp)
