from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence packs"

    def ready(self) -> None:
        from pupils import erasure
        from trusts import audit

        from . import models as m
        from . import navigation, services

        erasure.register(services.pupil_evidence_erase, covers=[m.EvidencePack, m.ProfessionalInvolvement])
        audit.register(m.EvidencePack, sensitive_fields=("sent_content",))
        audit.register(m.ProfessionalInvolvement, sensitive_fields=("who", "advice"))
        audit.register(m.PackTemplate)
        audit.register(m.TemplateSection)
        navigation.register_all()
