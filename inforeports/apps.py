from django.apps import AppConfig


class InforeportsConfig(AppConfig):
    name = "inforeports"
    verbose_name = "SEN information reports"

    def ready(self) -> None:
        from trusts import audit
        from trusts.access import Capability as C
        from trusts.navigation import NavItem, SchoolLink, register, register_school_link

        from . import models as m

        # Policy and school text and counts only, no pupil: nothing to mask.
        audit.register(m.TrustTemplate)
        audit.register(m.InfoReport)
        register(NavItem("SEN information reports", "inforeports:index", C.VIEW_SCHOOL, order=60))
        register_school_link(
            SchoolLink(
                "SEN information report",
                "inforeports:school_reports",
                C.VIEW_SCHOOL,
                "The report every school publishes each year (SEND Regulations 2014, Schedule 1): "
                "this year's draft, last year's, what changed, the public page.",
                order=40,
            )
        )
