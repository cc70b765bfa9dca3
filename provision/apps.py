from django.apps import AppConfig


class ProvisionConfig(AppConfig):
    name = "provision"
    verbose_name = "Provision map"

    def ready(self) -> None:
        from pupils import erasure

        from . import models as provision_models
        from . import services as provision_services

        erasure.register(
            provision_services.pupil_provision_erase,
            covers=[provision_models.Enrolment, provision_models.Delivery, provision_models.Intervention],
        )
        from trusts import audit
        from trusts.access import Capability
        from trusts.navigation import (
            PupilSection,
            SchoolLink,
            register_pupil_section,
            register_school_link,
        )

        from . import sections
        from .models import Delivery, Enrolment, Intervention

        # Free text may name a child: logged as changed, never with its value.
        audit.register(Intervention, sensitive_fields=("name", "description"))
        audit.register(Enrolment, sensitive_fields=("notes",))
        audit.register(Delivery, sensitive_fields=("note",))

        register_school_link(
            SchoolLink(
                "Provision map",
                "provision:school_map",
                Capability.VIEW_SCHOOL,
                "Interventions, the pupils in them, what they cost and whether they work.",
                order=25,
            )
        )
        register_pupil_section(PupilSection("provision", "Provision", sections.pupil_section, order=40))
