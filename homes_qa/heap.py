"""Set aside from the garbage collector what a process made while starting.

The app, its routes, templates, forms and SQLAlchemy's mappings (about 200,000 objects) live as
long as the process. Left to the collector, every full collection walks all of them: a pause of
80–130 ms every few dozen requests (the head of service's first page at 1,000 homes: p50 19 ms,
slowest of 60 requests 80–85 ms). Frozen (`gc.freeze`) they are never walked again; what is made
after is collected as before. Call once, when the process is ready to serve.
"""
from __future__ import annotations

import gc


def settle() -> None:
    gc.collect()  # the garbage of starting up first, so only what lives on is set aside
    gc.freeze()
