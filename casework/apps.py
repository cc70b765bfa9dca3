from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework and statutory timelines"

    def ready(self) -> None:
        from trusts import audit
        from trusts.access import Capability
        from trusts.navigation import NavItem, SchoolLink, register, register_school_link

        from . import models as m

        audit.register(m.EHCRequest)
        audit.register(m.EHCPlan)
        audit.register(m.AnnualReview)
        audit.register(m.Case, sensitive_fields=("title", "outcome"))
        audit.register(m.CaseNote, sensitive_fields=("text",))
        audit.register(m.ActivityEntry, sensitive_fields=("notes",))
        audit.register(m.ActivityShare)
        audit.register(m.ArrangementShare)

        register(NavItem("Cases", "casework:case_list", Capability.VIEW_CASES, order=30))
        register(NavItem("Due list", "casework:due_list", Capability.VIEW_CASES, order=31))
        register(NavItem("EHC timeliness", "casework:timeliness", Capability.VIEW_CASES,
                         order=32))
        register(NavItem("Activity log", "casework:activity", Capability.LOG_ACTIVITY, order=60))
        register_school_link(SchoolLink(
            "Cases", "casework:school_cases", Capability.VIEW_CASES,
            "Tribunal appeals, complaints, suspensions and other cases of this school.", order=30,
        ))
        register_school_link(SchoolLink(
            "EHC needs assessments and annual reviews", "casework:school_ehc",
            Capability.VIEW_CASES,
            "Assessment requests with their statutory deadlines, plans and annual reviews.",
            order=31,
        ))
