from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support plans and one-page profiles"

    def ready(self) -> None:
        from pupils import erasure

        from . import models as support_models
        from . import services as support_services

        erasure.register(
            support_services.pupil_support_erase,
            covers=[
                support_models.SupportPlan,
                support_models.Outcome,
                support_models.PlanReview,
                support_models.OnePageProfile,
            ],
        )
        from trusts import audit

        from . import models as m
        from . import navigation

        audit.register(
            m.SupportPlan,
            sensitive_fields=("needs", "strengths", "tried_before", "pupil_views", "parent_views"),
        )
        audit.register(
            m.Outcome,
            sensitive_fields=("description", "success_criteria", "support", "evidence"),
            m2m_fields={"enrolments"},
        )
        audit.register(m.PlanReview, sensitive_fields=("pupil_views", "parent_views", "next_steps"))
        audit.register(
            m.OnePageProfile,
            sensitive_fields=(
                "like_and_admire",
                "important_to_me",
                "how_to_support",
                "my_needs",
                "written_with",
            ),
        )
        navigation.register_all()

        # A leaving colleague's plans in progress, handed over from the trusts app's page.
        from trusts import handover
        from trusts.access import Capability

        from . import selectors, services

        handover.register(
            handover.HandoverProvider(
                key="support_plans",
                label="SEN support plans",
                capability=Capability.WRITE_SUPPORT_PLANS,
                open_items=selectors.open_plans_of,
                owner_counts=selectors.open_plan_leads,
                hand_over=services.plans_hand_over,
                order=40,
                covers=(m.SupportPlan,),
            )
        )
