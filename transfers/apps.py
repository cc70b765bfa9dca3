from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = "Common transfer files"

    def ready(self) -> None:
        from pupils import erasure
        from trusts import audit
        from trusts.access import Capability
        from trusts.navigation import (
            HomeTaskSource,
            PupilSection,
            SchoolLink,
            register_home_tasks,
            register_pupil_section,
            register_school_link,
        )

        from . import hub
        from .models import PupilMove, TransferImport

        audit.register(TransferImport, exclude_fields=["pupils", "summary", "errors"])
        audit.register(PupilMove, exclude_fields=["provision_history"])
        erasure.keep(
            PupilMove,
            why="which schools, who and when, and intervention names and dates: no text about the pupil",
        )
        register_school_link(
            SchoolLink(
                "Pupils released to your school",
                "transfers:moves_incoming",
                Capability.EDIT_REGISTER,
                "Pupils another school has released to you, with their records, to receive.",
                order=27,
            )
        )
        register_home_tasks(HomeTaskSource("pupils_released", hub.released_tasks, order=40))
        register_school_link(
            SchoolLink(
                "Import a common transfer file",
                "transfers:import_upload",
                Capability.EDIT_REGISTER,
                "Bring in the SEN record of pupils joining from another school (CTF XML).",
                order=25,
            )
        )
        register_school_link(
            SchoolLink(
                "Export a common transfer file",
                "transfers:export",
                Capability.VIEW_PUPILS,
                "The SEN record of pupils leaving, for their next school (CTF XML).",
                order=26,
            )
        )
        register_pupil_section(PupilSection("transfer", "Moving school", hub.transfer_section, order=95))
