from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.index, name="index"),
    path("schools/<str:laestab>/", views.school_funding, name="school"),
    path("schools/<str:laestab>/export.<str:fmt>", views.school_export, name="school_export"),
    path("schools/<str:laestab>/settings/", views.settings_edit, name="settings"),
    path("schools/<str:laestab>/payments/import/", views.payments_import, name="payments_import"),
    path("schools/<str:laestab>/claims/new/", views.claim_new, name="claim_new"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<int:claim_id>/", views.claim_detail, name="claim"),
    path("claims/<int:claim_id>/<str:action>/", views.claim_action, name="claim_action"),
    path("trusts/<slug:slug>/", views.trust_funding, name="trust"),
    path("trusts/<slug:slug>/export.<str:fmt>", views.trust_export, name="trust_export"),
]
