"""Reference data for evidence packs: a template of each kind for the three LAs of the seed
trusts (Essex 881, Southend-on-Sea 882, Thurrock 883), in the order and under the headings of
each LA's own request forms as the trusts' SENCOs fill them in. They are sensible defaults:
LAs change their forms, and platform admins edit the templates in the admin to match. Create
only: a template already there is left as it is, so a second run changes nothing."""

from __future__ import annotations

import datetime

from trusts.models import LocalAuthority

from . import services
from .models import PackKind
from .models import Source as S

EHC = PackKind.EHC_REQUEST
TOP_UP = PackKind.TOP_UP

Sections = list[tuple[str, str, str]]

ESSEX_EHC: Sections = [
    (
        "Section 1: Information about the child or young person",
        S.PUPIL,
        "Name, date of birth, UPN, school, year group and the main area of need.",
    ),
    (
        "Section 2: The views, interests and aspirations of the child",
        S.CHILD_VIEWS,
        "In the child's own words where possible, with how they were gathered.",
    ),
    (
        "Section 3: The views of the parents or carers",
        S.PARENT_VIEWS,
        "Parents' views of their child's needs and of the support so far.",
    ),
    ("Section 4: One-page profile", S.PROFILE, ""),
    (
        "Section 5: Special educational needs",
        S.NEEDS,
        "The child's needs, strengths and what has been tried.",
    ),
    (
        "Section 6: The graduated approach: assess, plan, do, review",
        S.CYCLES,
        "At least two cycles, with outcomes and how the child responded.",
    ),
    (
        "Section 7: Provision, costs and impact",
        S.PROVISION,
        "What was provided, at what cost, and the entry and exit measures.",
    ),
    (
        "Section 8: Involvement of other professionals",
        S.PROFESSIONALS,
        "Educational psychology, therapies, health and social care: dates and advice.",
    ),
]
SOUTHEND_EHC: Sections = [
    ("Part A: About the child", S.PUPIL, ""),
    ("Part B: All about me (one-page profile)", S.PROFILE, ""),
    ("Part C: What the child says", S.CHILD_VIEWS, ""),
    ("Part D: What the parents or carers say", S.PARENT_VIEWS, ""),
    ("Part E: Needs and what has been tried", S.NEEDS, ""),
    (
        "Part F: Evidence of assess, plan, do, review",
        S.CYCLES,
        "Southend asks for the plans and reviews of at least two cycles.",
    ),
    ("Part G: Provision map and its impact", S.PROVISION, "Costed provision with baseline and exit data."),
    ("Part H: Advice from professionals", S.PROFESSIONALS, ""),
]
THURROCK_EHC: Sections = [
    ("1. Child's details", S.PUPIL, ""),
    (
        "2. Involvement of professionals",
        S.PROFESSIONALS,
        "Thurrock asks for advice from at least one outside professional.",
    ),
    ("3. Graduated response: assess, plan, do, review", S.CYCLES, ""),
    ("4. Provision and outcomes (with entry and exit data)", S.PROVISION, ""),
    ("5. Needs and strengths", S.NEEDS, ""),
    ("6. Child's views", S.CHILD_VIEWS, ""),
    ("7. Parents' or carers' views", S.PARENT_VIEWS, ""),
    ("8. One-page profile", S.PROFILE, ""),
]
BAND_TOP_UP: Sections = [
    ("About the child", S.PUPIL, ""),
    ("The band requested", S.CLAIM, "The band and the provision the funding will pay for."),
    ("Needs", S.NEEDS, ""),
    (
        "Costed provision and its impact",
        S.PROVISION,
        "The provision map for the child, with entry and exit measures.",
    ),
    ("Assess, plan, do, review", S.CYCLES, ""),
    ("Views of the child and parents", S.PARENT_VIEWS, ""),
    ("Other professionals", S.PROFESSIONALS, ""),
]
THURROCK_TOP_UP: Sections = [
    ("Child's details", S.PUPIL, ""),
    ("Hours requested", S.CLAIM, "Thurrock funds top-up in hours a week (up to 20) at its hourly rate."),
    ("Provision map: hours, costs and impact", S.PROVISION, ""),
    ("SEN support plan cycles", S.CYCLES, ""),
    ("Needs", S.NEEDS, ""),
    ("Outside agencies", S.PROFESSIONALS, ""),
    ("Parents' views", S.PARENT_VIEWS, ""),
]
GENERIC_EHC: Sections = ESSEX_EHC

DEFAULTS: dict[tuple[int, str], tuple[str, Sections]] = {
    (881, EHC): ("Essex: request for an EHC needs assessment", ESSEX_EHC),
    (881, TOP_UP): ("Essex: application for top-up funding (banded)", BAND_TOP_UP),
    (882, EHC): ("Southend-on-Sea: request for an education, health and care needs assessment", SOUTHEND_EHC),
    (882, TOP_UP): ("Southend-on-Sea: application for element 3 top-up funding", BAND_TOP_UP),
    (883, EHC): ("Thurrock: request for statutory assessment", THURROCK_EHC),
    (883, TOP_UP): ("Thurrock: application for top-up hours", THURROCK_TOP_UP),
}
INTRODUCTION = (
    "Prepared by the school from the child's records on the SEND Portal, in the "
    "order of the local authority's form."
)


def load_for(local_authority: LocalAuthority) -> int:
    """Both templates for one LA (its own defaults, or the general ones): how many were added."""
    made = 0
    for kind in (EHC, TOP_UP):
        title, sections = DEFAULTS.get(
            (local_authority.code, kind),
            (
                f"{local_authority.name}: {PackKind(kind).label.lower()}",
                GENERIC_EHC if kind == EHC else BAND_TOP_UP,
            ),
        )
        if (
            services.template_create_default(
                actor=None,
                local_authority=local_authority,
                kind=kind,
                title=title,
                sections=sections,
                introduction=INTRODUCTION,
            )
            is not None
        ):
            made += 1
    return made


def load(today: datetime.date | None = None) -> list[str]:
    codes = sorted({code for code, _ in DEFAULTS})
    made = sum(load_for(la) for la in LocalAuthority.objects.filter(code__in=codes))
    return [f"{made} LA evidence pack templates added"]
