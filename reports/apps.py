from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Dashboards and board packs"

    def ready(self):
        from trusts import audit, navigation
        from trusts.access import Capability

        from .models import BoardPack

        audit.register(BoardPack)
        navigation.register(navigation.NavItem("Dashboards", "reports_index", Capability.VIEW_SCHOOL, 20))
        navigation.register(navigation.NavItem(
            "Board packs", "reports_board_pack_index", Capability.REQUEST_BOARD_PACK, 80))
        navigation.register_school_link(navigation.SchoolLink(
            "SEND dashboard", "reports_school", Capability.VIEW_SCHOOL,
            "Pupils with SEND against the national average and earlier censuses, by need and "
            "year group.", 10))
