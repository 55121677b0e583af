"""Datasette loads this with ``--plugins-dir pipeline/publish/officer_plugins``: the officers' instance only.

It registers the public site's plugin (document pages, cells, templates) and the officer pages
(:mod:`pipeline.publish.officer`). The public site's plugins dir never names the officer module.
"""

import sys
from pathlib import Path

from datasette.plugins import pm

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from pipeline.publish import officer, plugin  # noqa: E402

for module, name in ((plugin, plugin.PLUGIN), (officer, officer.PLUGIN)):
    if not pm.is_registered(module):
        pm.register(module, name=name)
