from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("schools/<str:laestab>/", views.school_dashboard, name="school"),
    path("schools/<str:laestab>/export.<str:fmt>", views.school_export, name="school_export"),
    path("trusts/<slug:slug>/", views.trust_dashboard, name="trust"),
    path("trusts/<slug:slug>/export.<str:fmt>", views.trust_export, name="trust_export"),
    path("cross-trust/", views.cross_trust_dashboard, name="cross_trust"),
    path("cross-trust/export.<str:fmt>", views.cross_trust_export, name="cross_trust_export"),
    path("board-packs/", views.board_pack_index, name="board_pack_index"),
    path("trusts/<slug:slug>/board-packs/", views.board_packs, name="board_packs"),
    path("board-packs/<int:pk>/status/", views.board_pack_status, name="board_pack_status"),
    path("board-packs/<int:pk>/retry/", views.board_pack_retry, name="board_pack_retry"),
    path("board-packs/<int:pk>/download/", views.board_pack_download, name="board_pack_download"),
]
