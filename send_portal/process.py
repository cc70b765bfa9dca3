"""Settings of the processes (web, management commands) that are not Django settings."""

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


def freeze_what_loading_made() -> None:
    """For a management command: what loading Django and the project made lives as long as the
    process, so it is frozen out of the collections and collecting (turned off by manage.py
    while loading) starts again. Loading makes some hundred thousand objects; collected while
    they are made, and walked again by every full collection and at exit, they cost a command
    about 0.3 s of its start (bench/census.py)."""
    gc.freeze()
    gc.enable()
