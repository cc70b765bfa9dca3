from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = "Common transfer files"

    def ready(self) -> None:
        from trusts import audit
        from trusts.access import Capability
        from trusts.navigation import PupilSection, SchoolLink, register_pupil_section, register_school_link

        from . import hub
        from .models import TransferImport

        audit.register(TransferImport, exclude_fields=["pupils", "summary", "errors"])
        register_school_link(SchoolLink(
            "Import a common transfer file", "transfers:import_upload", Capability.EDIT_REGISTER,
            "Bring in the SEN record of pupils joining from another school (CTF XML).", order=25))
        register_school_link(SchoolLink(
            "Export a common transfer file", "transfers:export", Capability.VIEW_PUPILS,
            "The SEN record of pupils leaving, for their next school (CTF XML).", order=26))
        register_pupil_section(PupilSection("transfer", "Moving school", hub.transfer_section,
                                            order=95))
