from django.apps import AppConfig
from django.db.models.signals import post_init


def _pupil_loaded(sender, instance, **kwargs) -> None:
    from trusts import audit

    if instance.pk is not None:
        audit.pupils_read([instance.pk])


class PupilsConfig(AppConfig):
    name = "pupils"
    verbose_name = "SEN register and census"

    def ready(self) -> None:
        from trusts import audit, jobs
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

        from . import erasure, hub, tasks
        from .models import CensusImport, Pupil, RegisterEvent

        jobs.recovers_stalled_jobs(tasks.resend_stalled_census_jobs)
        erasure.register(erasure.register_events_erase, covers=[RegisterEvent])
        erasure.register(erasure.anonymise_pupil, covers=[Pupil], last=True)
        # Every pupil record a request loads is named in its audit rows (trusts.audit).
        post_init.connect(_pupil_loaded, sender=Pupil, dispatch_uid="pupils-read-audit")
        audit.register(Pupil, sensitive_fields=("upn", "surname", "forename", "date_of_birth"))
        audit.register(RegisterEvent, sensitive_fields=("note",))
        audit.register(CensusImport, exclude_fields=["errors", "summary"])

        register(NavItem("Census import", "pupils:census_upload", Capability.IMPORT_CENSUS, order=40))
        register_school_link(
            SchoolLink(
                "SEN register",
                "pupils:register",
                Capability.VIEW_PUPILS,
                "Pupils with EHC plans and at SEN Support: needs, history, exports.",
                order=10,
            )
        )
        register_school_link(
            SchoolLink(
                "Import a census file",
                "pupils:school_census_upload",
                Capability.IMPORT_CENSUS,
                "Upload the school census CSV from your MIS: check it, then import it.",
                order=20,
            )
        )
        register_pupil_section(PupilSection("history", "Register history", hub.history_section, order=90))
        register_home_tasks(HomeTaskSource("pupils", hub.home_tasks, order=90))
