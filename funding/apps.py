from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "LA top-up funding"

    def ready(self) -> None:
        from pupils import erasure

        from . import models as funding_models
        from . import services as funding_services

        erasure.register(
            funding_services.pupil_claims_erase,
            covers=[funding_models.Claim, funding_models.ClaimEvent, funding_models.Payment],
        )
        erasure.keep(
            funding_models.Award,
            why="amounts and dates of an award: the trust's financial record, no text about the pupil",
        )
        from provision.rates import register_standard_rates
        from provision.signals import provision_changed
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

        from . import hub, models, receivers, selectors

        audit.register(models.BandingScheme)
        audit.register(models.Band)
        audit.register(
            models.Claim, sensitive_fields=("evidence_summary", "provision_to_fund", "refusal_reason")
        )
        audit.register(models.Award)
        audit.register(models.Payment)
        audit.register(models.ClaimEvent, sensitive_fields=("note",))
        audit.register(models.FundingSettings)
        # Figures built on the register (unclaimed pupils, the cost of provision) are brought up
        # to date in the transaction of the census import or register change.
        register_changed.connect(
            receivers.refresh_on_register_change, dispatch_uid="funding-figures-register-changed"
        )
        # The provision map costs its interventions; where an intervention leaves its hourly cost
        # or weeks blank it takes the school's figures held here.
        register_standard_rates(selectors.standard_rates_for_schools)
        provision_changed.connect(
            receivers.refresh_on_provision_change, dispatch_uid="funding-figures-provision-changed"
        )
        register_pupil_section(PupilSection("funding_claims", "Funding claims", hub.claim_section, order=60))
        register_home_tasks(HomeTaskSource("funding", hub.home_tasks, order=40))
        register(NavItem("Funding", "funding:index", Capability.VIEW_FUNDING, order=30))
        register_school_link(
            SchoolLink(
                "Top-up funding",
                "funding:school",
                Capability.VIEW_FUNDING,
                "Claims to the LAs, awards, payments received, shortfall and the funding gap.",
                order=30,
            )
        )
