from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework and statutory timelines"

    def ready(self) -> None:
        from pupils import erasure

        from . import models as casework_models
        from . import services as casework_services

        erasure.register(
            casework_services.pupil_cases_erase, covers=[casework_models.Case, casework_models.CaseNote]
        )
        erasure.register(
            casework_services.naming_consultations_erase, covers=[casework_models.NamingConsultation]
        )
        erasure.keep(
            casework_models.EHCRequest,
            casework_models.EHCPlan,
            casework_models.AnnualReview,
            why="statutory dates and decisions from fixed choices: no text about the pupil",
        )
        from pupils.signals import register_changed
        from trusts import audit
        from trusts.access import Capability
        from trusts.navigation import (
            HomeTaskSource,
            NavItem,
            PupilSection,
            SchoolLink,
            register,
            register_home_tasks,
            register_pupil_section,
            register_school_link,
        )

        from . import hub, receivers
        from . import models as m

        audit.register(m.EHCRequest)
        audit.register(m.EHCPlan)
        audit.register(m.AnnualReview)
        audit.register(
            m.NamingConsultation,
            sensitive_fields=(
                "prospective_forename",
                "prospective_surname",
                "prospective_date_of_birth",
                "reasons",
            ),
        )
        audit.register(m.LAReviewRules)
        audit.register(m.Case, sensitive_fields=("title", "outcome"))
        audit.register(m.CaseNote, sensitive_fields=("text",))
        audit.register(m.ActivityEntry, sensitive_fields=("notes",))
        # The values before and after hold the notes: the audit row says what changed, not them.
        audit.register(m.ActivityCorrection, sensitive_fields=("before", "after", "reason"))
        audit.register(m.ActivityShare)
        audit.register(m.ArrangementShare)

        # Every pupil recorded as E has a plan record, made in the transaction of the census
        # import or register change (casework.services.ehc_plans_follow_register).
        register_changed.connect(
            receivers.plans_follow_register, dispatch_uid="casework-plans-register-changed"
        )
        register_pupil_section(
            PupilSection("ehc_plan", "EHC plan and annual reviews", hub.plan_section, order=10)
        )
        register_pupil_section(
            PupilSection("ehc_requests", "EHC needs assessment requests", hub.request_section, order=20)
        )
        register_pupil_section(
            PupilSection(
                "naming_consultations",
                "Consultations on naming a school",
                hub.consultation_section,
                order=25,
            )
        )
        register_pupil_section(PupilSection("cases", "Cases", hub.case_section, order=70))
        register_home_tasks(HomeTaskSource("casework", hub.home_tasks, order=10))

        # A leaving colleague's open casework, handed over from the trusts app's page.
        from trusts import handover

        from . import selectors as sel
        from . import services as svc

        for key, label, model, items, counts, hand_over, order in (
            ("cases", "Cases", m.Case, sel.open_cases_of, sel.open_case_owners, svc.cases_hand_over, 10),
            (
                "ehc_requests",
                "EHC needs assessment requests",
                m.EHCRequest,
                sel.open_requests_of,
                sel.open_request_owners,
                svc.ehc_requests_hand_over,
                20,
            ),
            (
                "ehc_plans",
                "EHC plans and annual reviews",
                m.EHCPlan,
                sel.open_plans_of,
                sel.open_plan_owners,
                svc.ehc_plans_hand_over,
                30,
            ),
            (
                "naming_consultations",
                "Consultations on naming the school",
                m.NamingConsultation,
                sel.open_consultations_of,
                sel.open_consultation_owners,
                svc.naming_consultations_hand_over,
                40,
            ),
        ):
            handover.register(
                handover.HandoverProvider(
                    key=key,
                    label=label,
                    capability=Capability.MANAGE_CASES,
                    open_items=items,
                    owner_counts=counts,
                    hand_over=hand_over,
                    order=order,
                    covers=(model,),
                )
            )

        register(NavItem("Cases", "casework:case_list", Capability.VIEW_CASES, order=30))
        register(NavItem("Due list", "casework:due_list", Capability.VIEW_CASES, order=31))
        register(NavItem("EHC timeliness", "casework:timeliness", Capability.VIEW_CASES, order=32))
        register(NavItem("Naming consultations", "casework:consultations", Capability.VIEW_CASES, order=33))
        register(NavItem("Activity log", "casework:activity", Capability.LOG_ACTIVITY, order=60))
        register_school_link(
            SchoolLink(
                "Cases",
                "casework:school_cases",
                Capability.VIEW_CASES,
                "Tribunal appeals, complaints, suspensions and other cases of this school.",
                order=30,
            )
        )
        register_school_link(
            SchoolLink(
                "EHC needs assessments and annual reviews",
                "casework:school_ehc",
                Capability.VIEW_CASES,
                "Assessment requests with their statutory deadlines, plans and annual reviews.",
                order=31,
            )
        )
        register_school_link(
            SchoolLink(
                "LA consultations on naming the school",
                "casework:school_consultations",
                Capability.VIEW_CASES,
                "LAs asking whether the school can be named in a child's EHC plan: the 15-day "
                "response, the headteacher's sign-off and the outcome.",
                order=32,
            )
        )
