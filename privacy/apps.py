from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Data-subject rights and retention"

    def ready(self) -> None:
        from trusts.access import Capability
        from trusts.navigation import SchoolLink, register_school_link

        register_school_link(
            SchoolLink(
                "Data-subject requests",
                "privacy:school",
                Capability.VIEW_AUDIT,
                "Subject-access exports, erasure and the retention of pupils' records.",
            )
        )
