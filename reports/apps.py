from django.apps import AppConfig


def recover_stalled_board_packs() -> int:
    """The board packs' part of trusts.recover_stalled_jobs. The services are imported when it
    runs: they load the PDF renderer, which a command that never draws a pack should not."""
    from . import services

    return services.board_pack_recover_stalled()


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Dashboards and board packs"

    def ready(self):
        import logging

        # WeasyPrint logs every rendering step at INFO.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

        from trusts import audit, navigation
        from trusts.access import Capability

        from .models import BoardPack

        audit.register(BoardPack)
        from trusts import jobs

        jobs.recovers_stalled_jobs(recover_stalled_board_packs)
        navigation.register(navigation.NavItem("Dashboards", "reports:index", Capability.VIEW_SCHOOL, 20))
        navigation.register(
            navigation.NavItem("Board packs", "reports:board_pack_index", Capability.REQUEST_BOARD_PACK, 80)
        )
        navigation.register_school_link(
            navigation.SchoolLink(
                "SEND dashboard",
                "reports:school",
                Capability.VIEW_SCHOOL,
                "Pupils with SEND against the national average and earlier censuses, by need and year group.",
                10,
            )
        )
