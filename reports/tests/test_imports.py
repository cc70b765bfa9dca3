"""Imports go one way: a task module is a thin wrapper that imports its app's services, and
no service imports a task module back (it finds its task by name when it enqueues)."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

from reports import services


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function, relative ones resolved
    against its package."""
    package = path.parent.name
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def test_no_app_service_imports_a_task_module():
    base = Path(settings.BASE_DIR)
    checked = 0
    for config in apps.get_app_configs():
        services_file = Path(config.path) / "services.py"
        if not services_file.is_relative_to(base) or not services_file.exists():
            continue
        checked += 1
        tasks = f"{config.name}.tasks"
        assert tasks not in _imported_modules(services_file), services_file
    assert checked >= 5


def test_the_reports_task_module_imports_the_services_it_wraps():
    tasks_file = Path(services.__file__).with_name("tasks.py")
    assert "reports.services" in _imported_modules(tasks_file)


def test_the_render_task_is_found_by_its_name():
    task = services._render_task()
    assert task.name == services.RENDER_TASK
    from reports import tasks

    assert task is tasks.render_board_pack._get_current_object()  # shared_task gives a proxy
