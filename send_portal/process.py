"""Settings of a long-running web process that are not Django settings."""

import gc

# Full collections every 100 collections of the middle generation rather than every 10.
GC_THRESHOLDS = (700, 10, 100)


def tune_garbage_collector() -> None:
    """Called once the application is loaded (send_portal.wsgi; the dashboard benchmark too).

    A full collection walks every object alive at that moment. Started while a dashboard is
    being drawn, with thousands of its figures in memory, it adds about 20 ms to that request:
    with Python's default thresholds, one view in fifteen of a trust dashboard being recomputed
    (bench/dashboards.py). What loading Django and the project made lives as long as the process,
    so it is frozen out of the collections, and full collections are made ten times rarer.
    Cyclic garbage that survives two younger collections waits longer to be freed; a request
    leaves little of it."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
