"""Reports for tests, written straight to the tables (the services are tested on their own)."""

from __future__ import annotations

import datetime as dt

from django_scopes import scopes_disabled

from inforeports.models import InfoReport, TrustTemplate
from inforeports.schedule import KEYS

FIGURES = {
    "number_on_roll": 210,
    "ehcp": 6,
    "sen_support": 30,
    "by_need": {"SLCN": {"E": 2, "K": 12}, "SEMH": {"E": 4, "K": 10}, "SPLD": {"E": 0, "K": 8}},
}


def template(trust, **texts) -> TrustTemplate:
    sections = {key: f"Trust policy on {key}." for key in KEYS}
    sections.update(texts)
    return TrustTemplate.objects.update_or_create(trust=trust, defaults={"sections": sections})[0]


def draft_report(school, *, academic_year: int = 2025, version: int = 1, **texts) -> InfoReport:
    sections = {key: {"school": texts.get(key, f"At our school, {key}.")} for key in KEYS}
    with scopes_disabled():
        return InfoReport.objects.create(
            school=school, academic_year=academic_year, version=version, sections=sections
        )


def approved_report(
    school,
    *,
    academic_year: int = 2024,
    version: int = 1,
    approved_on: dt.date = dt.date(2024, 11, 1),
    figures: dict | None = None,
    census_date: dt.date = dt.date(2024, 10, 3),
    **texts,
) -> InfoReport:
    sections = {
        key: {"trust": f"Trust policy on {key}.", "school": texts.get(key, f"At our school, {key}.")}
        for key in KEYS
    }
    with scopes_disabled():
        return InfoReport.objects.create(
            school=school,
            academic_year=academic_year,
            version=version,
            status=InfoReport.Status.APPROVED,
            sections=sections,
            census_date=census_date,
            figures=FIGURES if figures is None else figures,
            approved_on=approved_on,
            approved_by_name="Hannah Head",
        )
