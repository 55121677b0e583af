"""The action register: actions across meetings, their owners, due dates and evidence-based status.

``rebuild(db)`` derives the register tables from the core tables (see
:mod:`pipeline.track.register` and docs/tracking.md); it is cheap enough to run
after every ingest and gives the same rows when nothing changed.
"""

from .register import Summary, compute, rebuild

__all__ = ["Summary", "compute", "rebuild"]
