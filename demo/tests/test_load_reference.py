"""`load_reference`: what a real deployment loads (LAs, trusts, schools, banding tables,
national averages), with no user and no pupil; `seed_demo` puts the demo on top of it. Each
run twice changes nothing."""

import io
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from casework.models import LAReviewRules
from funding.calculations import financial_year_of
from funding.models import Band, BandingScheme
from pupils.models import NationalAverage, Pupil
from trusts.models import LocalAuthority, School, Trust, User

from .test_seed_demo import PROJECT_APPS, snapshot

pytestmark = pytest.mark.django_db

# What reference data is: every other project model stays empty.
REFERENCE_MODELS = {
    "trusts.LocalAuthority",
    "trusts.Trust",
    "trusts.School",
    "pupils.NationalAverage",
    "funding.BandingScheme",
    "funding.Band",
    "funding.FiguresHorizon",
    "casework.LAReviewRules",
}


def load_reference() -> str:
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    return out.getvalue()


def test_load_reference_loads_the_reference_data_and_no_user_and_no_pupil():
    out = load_reference()
    assert "Reference data loaded." in out
    assert LocalAuthority.objects.count() == 3
    assert set(Trust.objects.values_list("slug", flat=True)) == {
        "assisi-catholic-trust",
        "christus-catholic-trust",
    }
    assert School.objects.count() == 16
    assert NationalAverage.objects.get(phase="secondary").ehcp_pct == Decimal("3.1")
    assert Band.objects.filter(scheme__financial_year=2025).count() == 29
    assert LAReviewRules.objects.count() == 3  # each LA's annual review rules
    # Claims need bands of their own year: the published rates are carried forward to it.
    assert BandingScheme.objects.filter(financial_year=financial_year_of(timezone.localdate())).count() == 3
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists() and not Authenticator.objects.exists()
    assert not Pupil.objects.exists()
    models = [m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()]
    filled = {m._meta.label for m in models if m._base_manager.exists()}
    assert filled <= REFERENCE_MODELS, filled - REFERENCE_MODELS


def test_load_reference_twice_changes_nothing():
    load_reference()
    first = snapshot()
    out = load_reference()
    assert snapshot() == first
    assert "new tables" not in out


def test_load_reference_keeps_national_averages_and_schools_changed_since():
    load_reference()
    NationalAverage.objects.filter(phase="primary").update(
        ehcp_pct=Decimal("3.9"), source="Corrected in the admin"
    )
    School.objects.filter(laestab="8833001").update(name="Holy Cross Catholic Primary")
    load_reference()
    primary = NationalAverage.objects.get(phase="primary")
    assert (primary.ehcp_pct, primary.source) == (Decimal("3.9"), "Corrected in the admin")
    assert School.objects.get(laestab="8833001").name == "Holy Cross Catholic Primary"


def test_seed_demo_after_load_reference_adds_the_demo_and_each_twice_changes_nothing(capsys):
    load_reference()
    reference = snapshot()
    call_command("seed_demo")
    assert User.objects.filter(email="hos@demo.test").exists()
    assert Pupil.objects.exists()
    demo = snapshot()
    # The demo adds to the reference data and changes none of it.
    for label in REFERENCE_MODELS - {"funding.FiguresHorizon"}:
        assert set(reference[label]) <= set(demo[label]), label
    call_command("seed_demo")
    assert snapshot() == demo
    load_reference()
    assert snapshot() == demo
    capsys.readouterr()
    call_command("verify_figures")
    assert "Every kept figure agrees with its source rows." in capsys.readouterr().out
