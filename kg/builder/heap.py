"""The cyclic garbage collector, paused while a build makes or holds its many small results.

A build's parent process holds every document's candidates, entities and facts: at 3 MB of news,
about a million frozen objects that form no reference cycles. Python's collector still walks them
all on each full collection, which it starts again and again while such objects are being made:
about a second of a one-article ``kg add`` at 3 MB. Reference counting frees them as before; only
the search for cycles waits, and the analysis (whose NLP objects do form cycles) runs outside.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (nested blocks are fine)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
