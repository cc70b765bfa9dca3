"""Python's cycle collector paused around work that makes a great many objects and no
reference cycles (reading a census, drawing a board pack): every full collection on the way
would walk all of them again. Nothing is lost: what is garbage afterwards is collected as
usual once the collector runs again."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """No cycle collection inside the block; the collector is left as it was found."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
