import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management import call_command

from trusts.models import Membership, School, Trust, User

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["trusts", "pupils", "provision", "funding", "casework", "reports"]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every project model (and the TOTP authenticators), as plain values."""
    rows = {}
    models = [m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()]
    for model in [*models, Authenticator]:
        rows[model._meta.label] = sorted(
            tuple(sorted((k, str(v)) for k, v in row.items()))
            for row in model._base_manager.values()
        )
    return rows


def test_seed_demo_twice_gives_the_same_rows(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert "hos@demo.test" in capsys.readouterr().out


def test_seed_demo_loads_the_reference_trusts_schools_and_demo_users():
    call_command("seed_demo")
    assert set(Trust.objects.values_list("slug", flat=True)) == {
        "assisi-catholic-trust", "christus-catholic-trust"
    }
    assert School.objects.count() == 16
    assert School.objects.get(laestab="8833001").name == "Holy Cross Primary"
    for email in ["hos@demo.test", "csel.assisi@demo.test", "csel.christus@demo.test",
                  "senco.holycross@demo.test", "senco.stm@demo.test", "data.assisi@demo.test",
                  "admin@demo.test"]:
        assert User.objects.filter(email=email).exists(), email
    hos = User.objects.get(email="hos@demo.test")
    assert Membership.objects.filter(user=hos, role="head_of_send").count() == 2
    assert Authenticator.objects.filter(user=hos, type="totp").exists()
    assert not Authenticator.objects.filter(user__email="csel.assisi@demo.test").exists()
