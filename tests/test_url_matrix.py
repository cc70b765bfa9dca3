"""Every URL of the project's apps against every persona, as pretix and healthchecks test their
tenant isolation. The walker fails when a route taking an id is missing from ROUTES, so a new
view cannot ship without saying who may open it.

For each route: logged out -> login redirect; a persona of the other trust (or another school)
-> 404; a persona whose role does not allow it -> 404 (403 for a write is accepted too); an
allowed persona -> 200 (GET) or anything but 404/403/500 for a well-formed POST."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from trusts.models import Role
from trusts.tests.factories import SchoolFactory, TrustFactory, member

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("trusts", "pupils", "provision", "funding", "casework", "reports", "privacy")

# Personas, all in trust A / school A1 unless their name says otherwise.
PERSONAS = ["senco", "headteacher", "head_of_send", "executive", "data_admin", "senco_a2", "hos_b"]
EVERYONE = frozenset(PERSONAS)


@dataclass
class World:
    """Two trusts: A (schools A1, A2) where the personas work, and B (school B1)."""

    trust_a: object
    trust_b: object
    a1: object
    a2: object
    b1: object
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)  # kind -> {"own": obj in A1, "other": obj in B1}


def build_world() -> World:
    trust_a, trust_b = TrustFactory(), TrustFactory()
    a1, a2 = SchoolFactory(trust=trust_a), SchoolFactory(trust=trust_a)
    b1 = SchoolFactory(trust=trust_b)
    world = World(trust_a, trust_b, a1, a2, b1)
    world.users = {
        "senco": member(Role.SENCO, school=a1),
        "headteacher": member(Role.HEADTEACHER, school=a1),
        "head_of_send": member(Role.HEAD_OF_SEND, trust=trust_a),
        "executive": member(Role.TRUST_EXECUTIVE, trust=trust_a, totp=False),
        "data_admin": member(Role.DATA_ADMIN, trust=trust_a),
        "senco_a2": member(Role.SENCO, school=a2),
        "hos_b": member(Role.HEAD_OF_SEND, trust=trust_b),
    }
    for maker in OBJECT_MAKERS:
        maker(world)
    return world


# Each app adds a maker that puts one object of each kind it routes to in A1 and in B1:
# world.objects["kind"] = {"own": ..., "other": ...}
OBJECT_MAKERS: list[Callable[[World], None]] = []


def school_kwargs(world: World, side: str) -> dict:
    return {"laestab": (world.a1 if side == "own" else world.b1).laestab}


def trust_kwargs(world: World, side: str) -> dict:
    return {"slug": (world.trust_a if side == "own" else world.trust_b).slug}


def no_kwargs(world: World, side: str) -> dict:
    return {}


@dataclass(frozen=True)
class Route:
    kwargs: Callable[[World, str], dict]
    allowed: frozenset  # personas who may GET (or POST) the "own" object
    method: str = "GET"
    # For GET routes without an object (lists, indexes), the persona of the other trust sees
    # only their own rows: there is no "other" object to be refused.
    has_object: bool = True
    content_type: str = "text/html"
    # An index page may redirect an allowed persona to their one school or trust.
    ok: frozenset = frozenset({200})
    # Published for anyone, signed in or not (an approved SEN information report): no login
    # redirect, and another trust's school answers 200 too.
    public: bool = False


SCHOOL_READERS = frozenset({"senco", "headteacher", "head_of_send", "executive", "data_admin"})
AUDITORS = frozenset({"head_of_send", "data_admin"})

ROUTES: dict[str, Route] = {
    "trusts:home": Route(no_kwargs, EVERYONE, has_object=False),
    "trusts:school_detail": Route(school_kwargs, SCHOOL_READERS),
    "trusts:audit_index": Route(no_kwargs, EVERYONE, has_object=False),
    "trusts:audit_log": Route(trust_kwargs, AUDITORS),
    "trusts:audit_log_export": Route(trust_kwargs, AUDITORS, content_type="text/csv"),
    "trusts:login_history": Route(trust_kwargs, AUDITORS),
}


# --- casework ------------------------------------------------------------------------------


def _casework_objects(world: World) -> None:
    import datetime as dt
    from decimal import Decimal

    from casework import services as cw
    from pupils.tests.factories import PupilFactory

    for side, school, owner in (
        ("own", world.a1, world.users["senco"]),
        ("other", world.b1, world.users["hos_b"]),
    ):
        pupil = PupilFactory(school=school)
        case = cw.case_open(
            actor=owner,
            school=school,
            kind="complaint",
            title="Complaint",
            owner=owner,
            opened_on=dt.date(2025, 9, 1),
            pupil=pupil,
        )
        request_ = cw.ehc_request_create(
            actor=owner, pupil=pupil, requested_by="school", request_date=dt.date(2025, 9, 1)
        )
        plan = cw.ehc_plan_create(actor=owner, pupil=pupil, issue_date=dt.date(2024, 9, 1))
        consultation = cw.naming_consultation_log(
            actor=owner,
            school=school,
            local_authority=pupil.home_local_authority,
            received_on=dt.date(2025, 9, 1),
            prospective_forename="Prospective",
            prospective_surname="Child",
            prospective_date_of_birth=dt.date(2015, 1, 1),
        )
        cw.naming_consultation_draft_response(actor=owner, consultation=consultation, can_meet_needs=True)
        for kind, obj in (
            ("case", case),
            ("ehc_request", request_),
            ("plan", plan),
            ("consultation", consultation),
        ):
            world.objects.setdefault(kind, {})[side] = obj
    for side, hos, trust in (
        ("own", world.users["head_of_send"], world.trust_a),
        ("other", world.users["hos_b"], world.trust_b),
    ):
        world.objects.setdefault("activity", {})[side] = cw.activity_log(
            actor=hos, kind="school_visit", date=dt.date(2025, 9, 2), hours=Decimal(2), trusts=[trust]
        )


OBJECT_MAKERS.append(_casework_objects)


def _pk_of(kind: str) -> Callable[[World, str], dict]:
    return lambda world, side: {"pk": world.objects[kind][side].pk}


def _step_of(step: str) -> Callable[[World, str], dict]:
    return lambda world, side: {"pk": world.objects["ehc_request"][side].pk, "step": step}


CASE_READERS = frozenset({"senco", "headteacher", "head_of_send"})
CASE_WRITERS = frozenset({"senco", "head_of_send"})
ANY_CASE_READER = frozenset({"senco", "headteacher", "head_of_send", "senco_a2", "hos_b"})
ROUTES.update(
    {
        "casework:case_list": Route(no_kwargs, ANY_CASE_READER, has_object=False),
        "casework:due_list": Route(no_kwargs, ANY_CASE_READER, has_object=False),
        "casework:reviews_due": Route(no_kwargs, ANY_CASE_READER, has_object=False),
        "casework:ehc_requests": Route(no_kwargs, ANY_CASE_READER, has_object=False),
        "casework:timeliness": Route(no_kwargs, ANY_CASE_READER, has_object=False),
        "casework:activity": Route(no_kwargs, frozenset({"head_of_send", "hos_b"}), has_object=False),
        # The entry's page for the Heads of SEND of its trusts; correcting it for its author only.
        "casework:activity_detail": Route(_pk_of("activity"), frozenset({"head_of_send"})),
        "casework:activity_correct": Route(_pk_of("activity"), frozenset({"head_of_send"})),
        "casework:school_cases": Route(school_kwargs, CASE_READERS),
        "casework:school_ehc": Route(school_kwargs, CASE_READERS),
        "casework:case_open": Route(school_kwargs, CASE_WRITERS),
        "casework:ehc_request_new": Route(school_kwargs, CASE_WRITERS, method="POST"),
        "casework:plan_new": Route(school_kwargs, CASE_WRITERS, method="POST"),
        "casework:case_detail": Route(_pk_of("case"), CASE_READERS),
        "casework:case_add_note": Route(_pk_of("case"), CASE_WRITERS, method="POST"),
        "casework:case_update": Route(_pk_of("case"), CASE_WRITERS, method="POST"),
        "casework:case_close": Route(_pk_of("case"), CASE_WRITERS, method="POST"),
        "casework:ehc_request_detail": Route(_pk_of("ehc_request"), CASE_READERS),
        "casework:ehc_request_step": Route(_pk_of("ehc_request"), CASE_WRITERS, method="POST"),
        "casework:plan_detail": Route(_pk_of("plan"), CASE_READERS),
        "casework:plan_complete": Route(_pk_of("plan"), CASE_WRITERS, method="POST"),
        "casework:plan_review": Route(_pk_of("plan"), CASE_WRITERS, method="POST"),
        "casework:plan_review_decision": Route(_pk_of("plan"), CASE_WRITERS, method="POST"),
        # A statutory step's own questions, then its check-your-answers page (which sends the
        # persona back to the questions while nothing has been answered).
        "casework:ehc_step_form": Route(_step_of("decision"), CASE_WRITERS),
        "casework:ehc_step_check": Route(_step_of("decision"), CASE_WRITERS, ok=frozenset({302})),
        "casework:ehc_request_new_check": Route(school_kwargs, CASE_WRITERS, ok=frozenset({302})),
        "casework:plan_new_check": Route(school_kwargs, CASE_WRITERS, ok=frozenset({302})),
        "casework:plan_review_check": Route(_pk_of("plan"), CASE_WRITERS, ok=frozenset({302})),
        "casework:plan_review_decision_check": Route(_pk_of("plan"), CASE_WRITERS, ok=frozenset({302})),
        "casework:plan_review_preparation": Route(_pk_of("plan"), CASE_WRITERS, method="POST"),
        "casework:plan_review_report": Route(_pk_of("plan"), CASE_WRITERS, method="POST"),
        # The figures for everyone who reads cases or the trust dashboard (executives: figures
        # only, no names); a consultation's pages for the readers of its school's cases, its
        # response for the writers, its sign-off for the headteacher alone.
        "casework:consultations": Route(no_kwargs, ANY_CASE_READER | {"executive"}, has_object=False),
        "casework:school_consultations": Route(school_kwargs, CASE_READERS),
        "casework:consultation_new": Route(school_kwargs, CASE_WRITERS, method="POST"),
        "casework:consultation_new_check": Route(school_kwargs, CASE_WRITERS, ok=frozenset({302})),
        "casework:consultation_detail": Route(_pk_of("consultation"), CASE_READERS),
        "casework:consultation_response": Route(_pk_of("consultation"), CASE_WRITERS),
        "casework:consultation_response_check": Route(
            _pk_of("consultation"), CASE_WRITERS, ok=frozenset({302})
        ),
        "casework:consultation_sign_off": Route(_pk_of("consultation"), frozenset({"headteacher"})),
        "casework:consultation_outcome": Route(_pk_of("consultation"), CASE_WRITERS, method="POST"),
    }
)


# --- pupils -------------------------------------------------------------------------------


def _pupils_objects(world: World) -> None:
    import datetime as dt

    from pupils.models import CensusImport
    from pupils.tests.factories import PupilFactory

    for side, school in (("own", world.a1), ("other", world.b1)):
        world.objects.setdefault("pupil", {})[side] = PupilFactory(school=school)
        world.objects.setdefault("census_import", {})[side] = CensusImport.objects.create(
            school=school,
            census_date=dt.date(2025, 10, 2),
            file_name="census.csv",
            file_size=10,
            sha256="0" * 64,
            status=CensusImport.Status.READY,
        )


OBJECT_MAKERS.append(_pupils_objects)

PUPIL_READERS = frozenset({"senco", "headteacher", "head_of_send", "data_admin"})
REGISTER_EDITORS = frozenset({"senco", "head_of_send"})
IMPORTERS = frozenset({"head_of_send", "data_admin"})
INDEX_OK = frozenset({200, 302})


def _school_and(extra: dict) -> Callable[[World, str], dict]:
    return lambda world, side: {**school_kwargs(world, side), **extra}


def _pupil_pk(world: World, side: str) -> dict:
    return {"pk": world.objects["pupil"][side].pk}


def _import_pk(world: World, side: str) -> dict:
    return {"pk": world.objects["census_import"][side].pk}


ROUTES.update(
    {
        "pupils:register": Route(school_kwargs, PUPIL_READERS),
        "pupils:pupil_add": Route(school_kwargs, REGISTER_EDITORS),
        "pupils:register_export": Route(_school_and({"fmt": "csv"}), PUPIL_READERS, content_type="text/csv"),
        "pupils:school_census_upload": Route(school_kwargs, IMPORTERS),
        "pupils:census_upload": Route(no_kwargs, IMPORTERS | {"hos_b"}, has_object=False),
        "pupils:pupil_detail": Route(_pupil_pk, PUPIL_READERS),
        "pupils:pupil_change": Route(_pupil_pk, REGISTER_EDITORS, method="POST"),
        "pupils:pupil_remove": Route(_pupil_pk, REGISTER_EDITORS, method="POST"),
        "pupils:import_detail": Route(_import_pk, IMPORTERS),
        "pupils:import_progress": Route(_import_pk, IMPORTERS),
        "pupils:import_confirm": Route(_import_pk, IMPORTERS, method="POST"),
        "pupils:import_retry": Route(_import_pk, IMPORTERS, method="POST"),
    }
)


# --- provision map ------------------------------------------------------------------------


def _provision_objects(world: World) -> None:
    import datetime as dt

    from provision import services as provision_services

    for side, school in (("own", world.a1), ("other", world.b1)):
        pupil = world.objects["pupil"][side]
        intervention = provision_services.intervention_create(
            actor=None,
            school=school,
            name="Reading group",
            kind="small_group",
            staff_role="Teaching assistant",
            sessions_per_week=3,
            minutes_per_session=30,
            group_size=4,
        )
        enrolment = provision_services.enrolment_create(
            actor=None, intervention=intervention, pupil=pupil, start_date=dt.date(2025, 9, 1)
        )
        session = provision_services.delivery_record(
            actor=None, intervention=intervention, date=dt.date(2025, 9, 8), minutes=30, attended=[enrolment]
        )
        for kind, obj in (("intervention", intervention), ("enrolment", enrolment), ("session", session)):
            world.objects.setdefault(kind, {})[side] = obj


OBJECT_MAKERS.append(_provision_objects)

# Executives see the school's provision costs (totals without names); data admins see pupils.
ROUTES.update(
    {
        "provision:school_map": Route(school_kwargs, SCHOOL_READERS),
        "provision:intervention_new": Route(school_kwargs, REGISTER_EDITORS),
        "provision:intervention": Route(_pk_of("intervention"), PUPIL_READERS),
        "provision:intervention_edit": Route(_pk_of("intervention"), REGISTER_EDITORS),
        "provision:enrol": Route(_pk_of("intervention"), REGISTER_EDITORS),
        "provision:delivery_new": Route(_pk_of("intervention"), REGISTER_EDITORS),
        "provision:delivery_remove": Route(_pk_of("session"), REGISTER_EDITORS, method="POST"),
        "provision:enrolment_measures": Route(_pk_of("enrolment"), REGISTER_EDITORS),
        "provision:enrolment_end": Route(_pk_of("enrolment"), REGISTER_EDITORS),
        "provision:pupil": Route(_pupil_pk, PUPIL_READERS),
        "provision:pupil_enrol": Route(_pupil_pk, REGISTER_EDITORS),
    }
)


# --- funding ------------------------------------------------------------------------------


def _funding_objects(world: World) -> None:
    from funding import services as funding_services
    from funding.models import Band, BandingScheme

    for side, writer in (("own", world.users["senco"]), ("other", world.users["hos_b"])):
        pupil = world.objects["pupil"][side]
        scheme, _ = BandingScheme.objects.get_or_create(
            local_authority=pupil.home_local_authority, financial_year=2025
        )
        band, _ = Band.objects.get_or_create(
            scheme=scheme, label="3", defaults={"annual_value": "4800.00", "order": 3}
        )
        claim = funding_services.claim_create(
            actor=writer,
            pupil=pupil,
            requested_band=band,
            evidence_summary="Needs adult support",
            provision_to_fund="10 hours",
        )
        world.objects.setdefault("claim", {})[side] = claim


OBJECT_MAKERS.append(_funding_objects)

FUNDING_READERS = frozenset({"senco", "headteacher", "head_of_send", "executive"})
CLAIM_DECIDERS = frozenset({"headteacher", "head_of_send"})
CLAIM_PREPARERS = frozenset({"senco", "head_of_send"})
TRUST_FUNDING_READERS = frozenset({"head_of_send", "executive"})


def _claim_kwargs(extra: dict | None = None) -> Callable[[World, str], dict]:
    return lambda world, side: {"claim_id": world.objects["claim"][side].pk, **(extra or {})}


ROUTES.update(
    {
        "funding:index": Route(no_kwargs, EVERYONE - {"data_admin"}, has_object=False, ok=INDEX_OK),
        "funding:school": Route(school_kwargs, FUNDING_READERS),
        "funding:school_export": Route(_school_and({"fmt": "csv"}), FUNDING_READERS, content_type="text/csv"),
        "funding:settings": Route(school_kwargs, CLAIM_DECIDERS),
        "funding:payments_import": Route(school_kwargs, CLAIM_DECIDERS),
        "funding:claim_new": Route(school_kwargs, CLAIM_PREPARERS),
        "funding:claims": Route(
            no_kwargs,
            frozenset({"senco", "headteacher", "head_of_send", "senco_a2", "hos_b"}),
            has_object=False,
        ),
        "funding:claim": Route(_claim_kwargs(), frozenset({"senco", "headteacher", "head_of_send"})),
        "funding:claim_action": Route(_claim_kwargs({"action": "submit"}), CLAIM_DECIDERS, method="POST"),
        "funding:trust": Route(trust_kwargs, TRUST_FUNDING_READERS),
        "funding:trust_export": Route(
            lambda w, s: {**trust_kwargs(w, s), "fmt": "csv"}, TRUST_FUNDING_READERS, content_type="text/csv"
        ),
    }
)


# --- reports ------------------------------------------------------------------------------


def _reports_objects(world: World) -> None:
    import datetime as dt
    from pathlib import Path

    from django.conf import settings

    from reports.models import BoardPack

    for side, trust, user in (
        ("own", world.trust_a, world.users["executive"]),
        ("other", world.trust_b, world.users["hos_b"]),
    ):
        relative = f"board-packs/matrix-{trust.slug}.pdf"
        path = Path(settings.MEDIA_ROOT) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 test")
        world.objects.setdefault("board_pack", {})[side] = BoardPack.objects.create(
            trust=trust,
            period_start=dt.date(2025, 4, 1),
            period_end=dt.date(2025, 10, 31),
            requested_by=user,
            status=BoardPack.Status.READY,
            file_path=relative,
            idempotency_key=f"matrix-{trust.slug}",
        )


OBJECT_MAKERS.append(_reports_objects)

TRUST_DASHBOARD_READERS = frozenset({"head_of_send", "executive"})


def _pack_pk(world: World, side: str) -> dict:
    return {"pk": world.objects["board_pack"][side].pk}


ROUTES.update(
    {
        "reports:index": Route(no_kwargs, EVERYONE, has_object=False, ok=INDEX_OK),
        "reports:school": Route(school_kwargs, SCHOOL_READERS),
        "reports:school_export": Route(_school_and({"fmt": "csv"}), SCHOOL_READERS, content_type="text/csv"),
        "reports:trust": Route(trust_kwargs, TRUST_DASHBOARD_READERS),
        "reports:trust_export": Route(
            lambda w, s: {**trust_kwargs(w, s), "fmt": "csv"},
            TRUST_DASHBOARD_READERS,
            content_type="text/csv",
        ),
        # Only someone with a trust dashboard in two trusts has a cross-trust view: nobody here.
        "reports:cross_trust": Route(no_kwargs, frozenset(), has_object=False),
        "reports:cross_trust_export": Route(lambda w, s: {"fmt": "csv"}, frozenset(), has_object=False),
        "reports:board_pack_index": Route(no_kwargs, EVERYONE, has_object=False, ok=INDEX_OK),
        "reports:board_packs": Route(trust_kwargs, TRUST_DASHBOARD_READERS),
        "reports:board_pack_status": Route(_pack_pk, TRUST_DASHBOARD_READERS),
        "reports:board_pack_retry": Route(_pack_pk, TRUST_DASHBOARD_READERS, method="POST"),
        "reports:board_pack_download": Route(
            _pack_pk, TRUST_DASHBOARD_READERS, content_type="application/pdf"
        ),
    }
)


# --- privacy -------------------------------------------------------------------------------


def _privacy_objects(world: World) -> None:
    from pupils.tests.factories import PupilFactory

    world.objects["privacy_pupil"] = {
        "own": PupilFactory(school=world.a1),
        "other": PupilFactory(school=world.b1),
    }


OBJECT_MAKERS.append(_privacy_objects)

# The data protection lead of the pupil's trust (VIEW_AUDIT). The export is a POST behind
# re-authentication: an allowed persona is sent to re-authenticate (302).
ROUTES.update(
    {
        "privacy:school": Route(school_kwargs, AUDITORS),
        "privacy:pupil": Route(_pk_of("privacy_pupil"), AUDITORS),
        "privacy:pupil_export": Route(_pk_of("privacy_pupil"), AUDITORS, method="POST"),
        "privacy:pupil_erase": Route(_pk_of("privacy_pupil"), AUDITORS),
    }
)


# --- support plans and one-page profiles ----------------------------------------------------

PROJECT_APPS = (*PROJECT_APPS, "support")


def _support_objects(world: World) -> None:
    import datetime as dt

    from pupils.tests.factories import PupilFactory
    from support import services as support_services
    from support.tests.factories import current_plan, profile

    for side, school, writer in (
        ("own", world.a1, world.users["senco"]),
        ("other", world.b1, world.users["hos_b"]),
    ):
        pupil = PupilFactory(school=school)
        plan = current_plan(pupil, writer, outcomes=2)
        # The review saved and waiting to be checked, so its check page has answers to show.
        support_services.review_save(
            actor=writer,
            plan=plan,
            held_on=dt.date.today(),
            next_steps="Next steps",
            pupil_views="",
            parent_views="",
            results={o.pk: support_services.OutcomeResult("partly", "") for o in plan.outcomes.all()},
        )
        for kind, obj in (
            ("support_pupil", pupil),
            ("support_plan", plan),
            ("support_new_pupil", PupilFactory(school=school)),
            ("support_outcome", plan.outcomes.first()),
            ("support_profile", profile(pupil, writer)),
        ):
            world.objects.setdefault(kind, {})[side] = obj


OBJECT_MAKERS.append(_support_objects)

PLAN_READERS = frozenset({"senco", "headteacher", "head_of_send"})
PLAN_WRITERS = frozenset({"senco", "head_of_send"})


def _support_pupil(world: World, side: str) -> dict:
    return {"pupil_id": world.objects["support_pupil"][side].pk}


def _support_new_pupil(world: World, side: str) -> dict:
    return {"pupil_id": world.objects["support_new_pupil"][side].pk}


def _support_outcome(world: World, side: str) -> dict:
    outcome = world.objects["support_outcome"][side]
    return {"pk": outcome.plan_id, "outcome_id": outcome.pk}


ROUTES.update(
    {
        "support:plan_list": Route(no_kwargs, PLAN_READERS | {"senco_a2", "hos_b"}, has_object=False),
        "support:school_plans": Route(school_kwargs, PLAN_READERS),
        "support:plan_new": Route(_support_new_pupil, PLAN_WRITERS),
        "support:plan_detail": Route(_pk_of("support_plan"), PLAN_READERS),
        "support:plan_details": Route(_pk_of("support_plan"), PLAN_WRITERS),
        "support:plan_assessment": Route(_pk_of("support_plan"), PLAN_WRITERS),
        "support:outcome_new": Route(_pk_of("support_plan"), PLAN_WRITERS),
        "support:outcome_edit": Route(_support_outcome, PLAN_WRITERS),
        "support:outcome_remove": Route(_support_outcome, PLAN_WRITERS, method="POST"),
        "support:plan_activate": Route(_pk_of("support_plan"), PLAN_WRITERS, method="POST"),
        "support:plan_discard": Route(_pk_of("support_plan"), PLAN_WRITERS, method="POST"),
        "support:review_edit": Route(_pk_of("support_plan"), PLAN_WRITERS),
        "support:review_check": Route(_pk_of("support_plan"), PLAN_WRITERS),
        "support:plan_pdf": Route(_pk_of("support_plan"), PLAN_READERS, content_type="application/pdf"),
        "support:profile_detail": Route(_support_pupil, PLAN_READERS),
        "support:profile_edit": Route(_support_pupil, PLAN_WRITERS),
        "support:profile_version": Route(_pk_of("support_profile"), PLAN_READERS),
        "support:profile_pdf": Route(_pk_of("support_profile"), PLAN_READERS, content_type="application/pdf"),
    }
)


# --- handing over a colleague's open work ---------------------------------------------------


def _handover_person(world: World, side: str) -> dict:
    # The SENCO owns open work in A1; trust B's Head of SEND owns B1's.
    user = world.users["senco"] if side == "own" else world.users["hos_b"]
    return {**trust_kwargs(world, side), "user_id": user.pk}


HANDOVER = frozenset({"head_of_send"})
ROUTES.update(
    {
        "trusts:handover_index": Route(no_kwargs, EVERYONE, has_object=False, ok=INDEX_OK),
        "trusts:handover_trust": Route(trust_kwargs, HANDOVER),
        # A school's way in: redirects to its trust's page narrowed to the school.
        "trusts:handover_school": Route(school_kwargs, HANDOVER, ok=frozenset({302})),
        "trusts:handover_person": Route(_handover_person, HANDOVER),
        # Nothing answered yet: the check page sends the Head of SEND back to the questions.
        "trusts:handover_check": Route(_handover_person, HANDOVER, ok=frozenset({302})),
    }
)


# --- SEN information reports ---------------------------------------------------------------

PROJECT_APPS = (*PROJECT_APPS, "inforeports")


def _inforeport_objects(world: World) -> None:
    """Each trust's template; in A1 and B1 an approved report for last year (published) and
    this year's draft."""
    import datetime as dt

    from inforeports.tests.factories import approved_report, draft_report, template

    for side, school, trust in (("own", world.a1, world.trust_a), ("other", world.b1, world.trust_b)):
        template(trust)
        approved = approved_report(school, academic_year=2024, approved_on=dt.date(2024, 11, 1))
        world.objects.setdefault("inforeport_approved", {})[side] = approved
        world.objects.setdefault("inforeport_draft", {})[side] = draft_report(school, academic_year=2025)


OBJECT_MAKERS.append(_inforeport_objects)


def _inforeport_section(world: World, side: str) -> dict:
    return {"pk": world.objects["inforeport_draft"][side].pk, "key": "senco"}


INFOREPORT_WRITERS = frozenset({"senco", "head_of_send"})
ROUTES.update(
    {
        "inforeports:index": Route(no_kwargs, EVERYONE, has_object=False),
        "inforeports:template_edit": Route(trust_kwargs, frozenset({"head_of_send"})),
        "inforeports:school_reports": Route(school_kwargs, SCHOOL_READERS),
        "inforeports:report_new": Route(school_kwargs, INFOREPORT_WRITERS, method="POST"),
        "inforeports:report_detail": Route(_pk_of("inforeport_draft"), SCHOOL_READERS),
        "inforeports:report_changes": Route(_pk_of("inforeport_draft"), SCHOOL_READERS),
        "inforeports:section_edit": Route(_inforeport_section, INFOREPORT_WRITERS),
        "inforeports:report_approve": Route(_pk_of("inforeport_draft"), frozenset({"headteacher"})),
        "inforeports:report_pdf": Route(
            _pk_of("inforeport_draft"), SCHOOL_READERS, content_type="application/pdf"
        ),
        "inforeports_public:report": Route(school_kwargs, EVERYONE, public=True),
        "inforeports_public:report_pdf": Route(
            school_kwargs, EVERYONE, public=True, content_type="application/pdf"
        ),
    }
)


# --- evidence packs -------------------------------------------------------------------------

PROJECT_APPS = (*PROJECT_APPS, "evidence")


def _evidence_objects(world: World) -> None:
    from evidence import reference as evidence_reference
    from evidence import services as evidence_services
    from pupils.tests.factories import PupilFactory

    for side, school, writer in (
        ("own", world.a1, world.users["senco"]),
        ("other", world.b1, world.users["hos_b"]),
    ):
        pupil = PupilFactory(school=school)
        evidence_reference.load_for(pupil.home_local_authority)
        pack = evidence_services.pack_start(actor=writer, pupil=pupil, kind="ehc_request")
        world.objects.setdefault("evidence_pupil", {})[side] = pupil
        world.objects.setdefault("evidence_pack", {})[side] = pack


OBJECT_MAKERS.append(_evidence_objects)

PACK_READERS = frozenset({"senco", "headteacher", "head_of_send"})
PACK_WRITERS = frozenset({"senco", "head_of_send"})


def _evidence_pupil(world: World, side: str) -> dict:
    return {"pupil_id": world.objects["evidence_pupil"][side].pk}


ROUTES.update(
    {
        "evidence:pack_list": Route(
            no_kwargs,
            frozenset({"senco", "headteacher", "head_of_send", "senco_a2", "hos_b"}),
            has_object=False,
        ),
        "evidence:pupil_packs": Route(_evidence_pupil, PACK_READERS),
        "evidence:pack_new": Route(_evidence_pupil, PACK_WRITERS, method="POST"),
        "evidence:professional_new": Route(_evidence_pupil, PACK_WRITERS),
        "evidence:pack_detail": Route(_pk_of("evidence_pack"), PACK_READERS),
        "evidence:pack_pdf": Route(_pk_of("evidence_pack"), PACK_READERS, content_type="application/pdf"),
        "evidence:pack_send": Route(_pk_of("evidence_pack"), PACK_WRITERS),
        # Its check page sends the persona back to the question while nothing has been answered.
        "evidence:pack_send_check": Route(_pk_of("evidence_pack"), PACK_WRITERS, ok=frozenset({302})),
        "evidence:pack_discard": Route(_pk_of("evidence_pack"), PACK_WRITERS, method="POST"),
    }
)


# --- common transfer files ------------------------------------------------------------------

PROJECT_APPS = (*PROJECT_APPS, "transfers")


def _transfer_objects(world: World) -> None:
    from transfers.models import TransferImport

    for side, school in (("own", world.a1), ("other", world.b1)):
        world.objects.setdefault("transfer_import", {})[side] = TransferImport.objects.create(
            school=school,
            status=TransferImport.Status.READY,
            file_name="ctf.xml",
            file_size=10,
            sha256="0" * 64,
            ctf_version="26.0",
            pupils=[],
            summary={"counts": {}, "lines": []},
        )


OBJECT_MAKERS.append(_transfer_objects)


def _move_objects(world: World) -> None:
    """Pupils moving into A1 and B1 from a school of a third trust, whose staff are none of
    the personas: only the receiving school's register editors may open them. And a pupil
    on each register to release."""
    from pupils.tests.factories import PupilFactory
    from transfers.models import PupilMove

    elsewhere = SchoolFactory(trust=TrustFactory())
    for side, school in (("own", world.a1), ("other", world.b1)):
        world.objects.setdefault("move", {})[side] = PupilMove.objects.create(
            pupil=PupilFactory(school=elsewhere), from_school=elsewhere, to_school=school
        )
        world.objects.setdefault("move_pupil", {})[side] = PupilFactory(school=school)


OBJECT_MAKERS.append(_move_objects)

ROUTES.update(
    {
        "transfers:import_upload": Route(school_kwargs, REGISTER_EDITORS),
        "transfers:import_detail": Route(_pk_of("transfer_import"), REGISTER_EDITORS),
        "transfers:import_confirm": Route(_pk_of("transfer_import"), REGISTER_EDITORS, method="POST"),
        "transfers:export": Route(school_kwargs, PUPIL_READERS),
        "transfers:move_release": Route(_pk_of("move_pupil"), REGISTER_EDITORS),
        # Nothing kept yet: the check page sends the editor back to the question.
        "transfers:move_release_check": Route(_pk_of("move_pupil"), REGISTER_EDITORS, ok=frozenset({302})),
        "transfers:moves_incoming": Route(school_kwargs, REGISTER_EDITORS),
        "transfers:move_detail": Route(_pk_of("move"), REGISTER_EDITORS),
        "transfers:move_receive": Route(_pk_of("move"), REGISTER_EDITORS),
        "transfers:move_cancel": Route(_pk_of("move"), frozenset(), method="POST"),
    }
)


def project_routes() -> list[tuple[str, URLPattern]]:
    """(name, pattern) for every named URL whose view lives in one of the project's apps."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                module = getattr(p.callback, "__module__", "") or ""
                view_class = getattr(p.callback, "view_class", None)
                if view_class is not None:
                    module = view_class.__module__
                if module.split(".")[0] in PROJECT_APPS:
                    found.append((prefix + p.name, p))

    walk(get_resolver().url_patterns)
    return found


def test_every_project_route_is_in_the_persona_matrix():
    missing = sorted(name for name, _ in project_routes() if name not in ROUTES)
    assert not missing, f"Add these routes to ROUTES in {__file__}: {missing}"


def test_the_matrix_names_no_route_that_does_not_exist():
    names = {name for name, _ in project_routes()}
    assert set(ROUTES) <= names, sorted(set(ROUTES) - names)


def test_every_project_route_is_named_in_its_apps_namespace():
    # "funding:claim", never a bare "funding_claim": each app's urls.py sets app_name. An app's
    # pages for the public (no sign-in) have their own urls module, "<app>_public".
    wrong = sorted(
        name
        for name, p in project_routes()
        if name.split(":")[0].removesuffix("_public") != p.callback.__module__.split(".")[0]
    )
    assert not wrong, wrong


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end; each
    test runs in its own savepoint inside it."""
    from django.conf import settings

    from conftest import rolled_back_module_data

    previous_media = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("matrix-media")
    try:
        with rolled_back_module_data(django_db_blocker):
            yield build_world()
    finally:
        settings.MEDIA_ROOT = previous_media


def request(client, route: Route, url: str):
    if route.method == "POST":
        return client.post(url, {})
    return client.get(url)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_logged_out_visitors_are_sent_to_login(client, world, name):
    route = ROUTES[name]
    response = request(client, route, reverse(name, kwargs=route.kwargs(world, "own")))
    if route.public:
        assert response.status_code == 200
        assert response["Content-Type"].startswith(route.content_type)
        return
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_persona_gets_exactly_what_their_role_allows(client, world, name, persona):
    route = ROUTES[name]
    client.force_login(world.users[persona])
    own = request(client, route, reverse(name, kwargs=route.kwargs(world, "own")))
    if persona in route.allowed:
        if route.method == "GET":
            assert own.status_code in route.ok, own.status_code
            if own.status_code == 200:
                assert own["Content-Type"].startswith(route.content_type)
        else:
            # A well-formed but empty POST may be refused as invalid (400) or re-show the form.
            assert own.status_code not in {403, 404} and own.status_code < 500, own.status_code
    else:
        assert own.status_code in ({404} if route.method == "GET" else {403, 404})


# Trust B's own Head of SEND is left out here: B's objects are theirs. As a stranger to
# trust A they are covered by test_each_persona_gets_exactly_what_their_role_allows.
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "hos_b"])
@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r.has_object))
def test_another_trusts_object_is_404_for_everyone(client, world, name, persona):
    route = ROUTES[name]
    client.force_login(world.users[persona])
    response = request(client, route, reverse(name, kwargs=route.kwargs(world, "other")))
    # A published page is anyone's to read, whichever trust the school is in.
    assert response.status_code == (200 if route.public else 404)
