from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support plans and one-page profiles"

    def ready(self) -> None:
        from trusts import audit

        from . import models as m
        from . import navigation

        audit.register(m.SupportPlan, sensitive_fields=(
            "needs", "strengths", "tried_before", "pupil_views", "parent_views"))
        audit.register(m.Outcome, sensitive_fields=(
            "description", "success_criteria", "support", "evidence"))
        audit.register(m.PlanReview, sensitive_fields=("pupil_views", "parent_views",
                                                       "next_steps"))
        audit.register(m.OnePageProfile, sensitive_fields=(
            "like_and_admire", "important_to_me", "how_to_support", "my_needs",
            "written_with"))
        navigation.register_all()
