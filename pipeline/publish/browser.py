"""Debian's Chromium driven by Playwright, the way the browser tests and the screenshot script launch it.

Playwright's own browsers are never downloaded: ``executable_path`` points at the system
Chromium (``apt-get install -y chromium``), headless, with a fresh profile each time and
with the background services that would reach the network switched off.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = (
    "--no-sandbox",  # the tests run as root in a container, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
)
VIEWPORT = {"width": 1280, "height": 800}


def missing() -> str | None:
    """Why the browser cannot be launched, or None when it can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install it with `make chromium` (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: run `make install`"
    return None


def launch(playwright, user_data_dir: Path):
    """A headless Chromium context with its own new profile in ``user_data_dir``."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=str(CHROMIUM),
        headless=True,
        args=list(ARGS),
        viewport=VIEWPORT,
        locale="en-GB",
        timezone_id="Europe/London",
    )
