"""Benchmarks: `python -m bench [NAME ...]` (or `make bench BENCH=NAME`) runs bench/NAME.py's
main() for each name, or all of them. They need PostgreSQL (DATABASE_URL) and Redis.

Each main() prints its figures against their goals and returns False when a goal is missed;
the run then exits 1, so a missed goal can never pass unnoticed."""

import os
import pkgutil
import sys
from importlib import import_module
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_portal.settings.test")


def main(argv: list[str]) -> int:
    import django

    django.setup()
    available = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_") and hasattr(import_module(f"bench.{m.name}"), "main")
    )
    names = argv or available
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Available: {', '.join(available)}")
        return 2
    missed = []
    for name in names:
        print(f"== bench {name} ==", flush=True)
        if import_module(f"bench.{name}").main() is False:
            missed.append(name)
    if missed:
        print(f"Goals missed in: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
