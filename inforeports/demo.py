"""Demo SEN information reports: each reference trust's template, written by the Head of SEND,
and for every school of them last school year's report, approved in the November of that year
with the census figures of the time, and this school year's draft, whose school text has moved
on in a few sections (so "what changed" has something to show).

Everything is written through inforeports.services. A trust that has a template and a school
that has a report are left alone, so a second run changes nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_scopes import scopes_disabled

from trusts.models import Membership, Role, School, Trust, User

from . import selectors, services
from .models import InfoReport, TrustTemplate

HOS_EMAIL = "hos@demo.test"
ADMIN_EMAIL = "admin@demo.test"

POLICY = {
    "kinds": "Our schools welcome pupils with needs in all four broad areas of the SEND Code "
    "of Practice: communication and interaction; cognition and learning; social, "
    "emotional and mental health; and sensory and/or physical needs.",
    "identifying": "Teachers track every pupil's progress each term. When a pupil makes less "
    "progress than expected, the class teacher talks to the SENCO and to the "
    "parents, and together we decide whether the pupil needs special "
    "educational provision. Parents are always told when their child is added "
    "to the SEN register.",
    "progress": "We follow a cycle of assess, plan, do and review. Each pupil at SEN Support "
    "has a support plan reviewed at least three times a year with the pupil and "
    "their parents. Pupils with an EHC plan also have an annual review.",
    "teaching": "High-quality teaching, adapted for individual pupils, is the first step in "
    "responding to pupils who have or may have SEN.",
    "extra_support": "Schools use interventions that have good evidence behind them, recorded "
    "on a costed provision map and checked for impact each term.",
    "activities": "All our pupils take part in trips, clubs, sport and residential visits. "
    "We plan reasonable adjustments with parents before each visit.",
    "wellbeing": "Every school has a trained mental health lead and a clear anti-bullying policy.",
    "senco": "",
    "staff": "The trust's Head of SEND leads training for SENCOs each term. Every SENCO holds "
    "or is working towards the National Professional Qualification for SENCOs.",
    "equipment": "The trust funds specialist equipment when a pupil needs it. Each school "
    "publishes an accessibility plan.",
    "parents": "Parents are involved in every review of their child's plan and are welcome to "
    "ask to meet the SENCO at any time.",
    "pupils": "Pupils give their views for every review, in words, pictures or with an adult "
    "who knows them well.",
    "complaints": "Please speak first to your child's class teacher or the SENCO. If you are "
    "not satisfied, the trust's complaints policy explains how to make a formal "
    "complaint.",
    "other_services": "We work with health services, social care, the local authority's "
    "specialist teachers and educational psychologists, and local charities.",
    "parent_support": "The local SEND information, advice and support service (SENDIASS) "
    "gives free, impartial advice to parents.",
    "transitions": "We share information with the next school, with the parents' agreement, "
    "and plan visits for pupils who need them.",
    "local_offer": "The local authority publishes its local offer on its website.",
}

LAST_YEAR = {
    "kinds": "At {school} we currently support pupils in all four areas of need.",
    "identifying": "The SENCO meets each class teacher every half term to talk about pupils "
    "who are not making the progress expected.",
    "progress": "Support plans are reviewed in October, February and June.",
    "teaching": "Teachers use visual timetables, word mats and pre-teaching of vocabulary.",
    "extra_support": "Teaching assistants run small-group reading and number sessions.",
    "activities": "Our after-school clubs are open to every pupil.",
    "wellbeing": "Our learning mentor runs a nurture group at lunchtime.",
    "senco": "Our SENCO is {senco}. Telephone the school office to make an appointment.",
    "staff": "Teaching assistants were trained in precision teaching this year.",
    "equipment": "We have a sensory room and a lift to the first floor.",
    "parents": "We hold a coffee morning for parents of pupils with SEND every term.",
    "pupils": "Pupils with SEND are represented on the school council.",
    "complaints": "Ask the school office for a copy of the complaints policy.",
    "other_services": "A speech and language therapist visits every fortnight.",
    "parent_support": "SENDIASS can be contacted through the local authority's website.",
    "transitions": "Pupils moving to a new school visit it with a familiar adult.",
    "local_offer": "The local offer is on the local authority's website.",
}
THIS_YEAR = {
    **LAST_YEAR,
    "progress": "Support plans are reviewed in October, February and June, and parents now "
    "receive a copy of every plan.",
    "extra_support": "Teaching assistants run small-group reading and number sessions, and "
    "this year we started Talk Boost for pupils in the early years.",
    "wellbeing": "Our learning mentor runs a nurture group at lunchtime and a worry box in every classroom.",
}


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _school_person(school: School, role: str) -> User | None:
    membership = (
        Membership.objects.filter(school=school, role=role).select_related("user").order_by("pk").first()
    )
    return membership.user if membership else None


def _texts(texts: dict, school: School, senco: User | None) -> dict:
    name = senco.full_name if senco and senco.full_name else "Ms A. Example"
    return {k: v.format(school=school.name, senco=name) for k, v in texts.items()}


def seed(today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    hos, admin = _user(HOS_EMAIL), _user(ADMIN_EMAIL)
    if hos is None or admin is None:
        return ["SEN information reports: no demo users, nothing added"]
    this_year = selectors.academic_year_of(today)
    last_year_day = dt.date(this_year - 1, 11, 15)
    templates = reports = 0
    with scopes_disabled():
        for trust in Trust.objects.filter(memberships__user=hos).distinct().order_by("name"):
            if not TrustTemplate.objects.filter(trust=trust).exists():
                services.template_save(actor=hos, trust=trust, sections=POLICY)
                templates += 1
            for school in School.objects.filter(trust=trust).order_by("name"):
                if InfoReport.objects.filter(school=school).exists():
                    continue
                senco = _school_person(school, Role.SENCO)
                head = _school_person(school, Role.HEADTEACHER) or admin
                writer = senco or hos
                old = services.report_draft(
                    actor=writer, school=school, academic_year=this_year - 1, today=last_year_day
                )
                for key, text in _texts(LAST_YEAR, school, senco).items():
                    services.report_section_save(actor=writer, report=old, key=key, text=text)
                if selectors.latest_snapshot(school, last_year_day) is not None:
                    services.report_approve(actor=head, report=old, today=last_year_day)
                new = services.report_draft(actor=writer, school=school, academic_year=this_year, today=today)
                for key, text in _texts(THIS_YEAR, school, senco).items():
                    if text != new.school_text(key):
                        services.report_section_save(actor=writer, report=new, key=key, text=text)
                reports += 1
    return [
        f"SEN information reports: {templates} trust templates, {reports} schools with last "
        f"year's approved report and this year's draft"
    ]
