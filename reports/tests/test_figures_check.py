"""rebuild_figures and verify_figures over every app's kept figures (reports.figures_check)."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from casework.models import CaseOpenCount
from funding.models import FundingYearFigures
from reports.models import FiguresCheck

from .test_operations import world  # noqa: F401  (the hand-built claims, cases and activity)

pytestmark = pytest.mark.django_db


def run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_verify_figures_passes_when_every_kept_figure_agrees(world):  # noqa: F811
    assert "Every kept figure agrees with its source rows." in run("verify_figures")
    assert FiguresCheck.objects.get().differences == []


def test_verify_figures_names_each_difference_and_exits_1(world):  # noqa: F811
    with scopes_disabled():
        FundingYearFigures.objects.filter(school=world.a).update(received=Decimal("1.00"))
        CaseOpenCount.objects.filter(school=world.a).update(open_now=99)
    out = io.StringIO()
    with pytest.raises(CommandError, match="kept figures differ from their source rows"):
        call_command("verify_figures", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("funding: ") and "received" in line for line in lines), lines
    assert any(line.startswith("casework: ") and "99" in line for line in lines), lines
    assert len(FiguresCheck.objects.get().differences) == len(lines)


def test_rebuild_figures_repairs_what_verify_found_and_twice_changes_nothing(world):  # noqa: F811
    with scopes_disabled():
        FundingYearFigures.objects.filter(school=world.a).update(received=Decimal("1.00"))
    run("rebuild_figures")
    assert "Every kept figure agrees" in run("verify_figures")
    with scopes_disabled():
        before = sorted(FundingYearFigures.objects.values_list("pk", "received"))
    run("rebuild_figures")
    with scopes_disabled():
        assert sorted(FundingYearFigures.objects.values_list("pk", "received")) == before


def test_the_daily_task_stores_the_check_for_the_health_endpoint(world, client):  # noqa: F811
    from reports.tasks import verify_figures

    assert verify_figures() == 0
    assert client.get("/healthz").json()["checks"]["figures"].startswith("ok: verified")


def test_verify_figures_runs_daily_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reports-verify-figures"]
    assert entry["task"] == "reports.verify_figures"
