"""The action register: actions across meetings, their owners, due dates and evidence-based status.

``rebuild(db)`` derives the register tables from the core tables, council by council;
``update(db)`` rebuilds only the councils whose documents changed since, and gives the
same rows (see :mod:`pipeline.track.register` and docs/tracking.md). Both return a
:class:`Summary`; ``compute(core)`` is the pure version over rows in memory.
"""

from .register import Summary, compute, rebuild, update

__all__ = ["Summary", "compute", "rebuild", "update"]
