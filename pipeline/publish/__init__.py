"""Publication: the Datasette plugin, its templates, the serve command line and the screenshots."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGINS_DIR = Path(__file__).resolve().parent / "plugins"
OFFICER_PLUGINS_DIR = Path(__file__).resolve().parent / "officer_plugins"  # the officers' instance only
METADATA = ROOT / "datasette_metadata.json"
