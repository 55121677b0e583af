"""Datasette loads this file with ``--plugins-dir pipeline/publish/plugins``; the plugin is pipeline.publish.plugin.

A plugins-dir file is run as a bare module, so it registers the real module under its
import name: that way Datasette also finds ``pipeline/publish/templates``. The repository
root goes on ``sys.path`` first, because ``.venv/bin/datasette`` does not start from it.
"""

import sys
from pathlib import Path

from datasette.plugins import pm

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from pipeline.publish import plugin  # noqa: E402

if not pm.is_registered(plugin):
    pm.register(plugin, name=plugin.PLUGIN)
