from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="reports_index"),
    path("schools/<str:laestab>/", views.school_dashboard, name="reports_school"),
    path("schools/<str:laestab>/export.<str:fmt>", views.school_export, name="reports_school_export"),
    path("trusts/<slug:slug>/", views.trust_dashboard, name="reports_trust"),
    path("trusts/<slug:slug>/export.<str:fmt>", views.trust_export, name="reports_trust_export"),
    path("cross-trust/", views.cross_trust_dashboard, name="reports_cross_trust"),
    path("cross-trust/export.<str:fmt>", views.cross_trust_export, name="reports_cross_trust_export"),
    path("board-packs/", views.board_pack_index, name="reports_board_pack_index"),
    path("trusts/<slug:slug>/board-packs/", views.board_packs, name="reports_board_packs"),
    path("board-packs/<int:pk>/status/", views.board_pack_status, name="reports_board_pack_status"),
    path("board-packs/<int:pk>/retry/", views.board_pack_retry, name="reports_board_pack_retry"),
    path("board-packs/<int:pk>/download/", views.board_pack_download,
         name="reports_board_pack_download"),
]
