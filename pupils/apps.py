from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "pupils"
    verbose_name = "SEN register and census"

    def ready(self) -> None:
        from trusts import audit

        from .models import CensusImport, Pupil, RegisterEvent

        audit.register(Pupil, sensitive_fields=("upn", "surname", "forename", "date_of_birth"))
        audit.register(RegisterEvent, sensitive_fields=("note",))
        audit.register(CensusImport, exclude_fields=["errors", "summary"])
