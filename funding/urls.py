from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="funding_index"),
    path("schools/<str:laestab>/", views.school_funding, name="funding_school"),
    path("schools/<str:laestab>/export.<str:fmt>", views.school_export, name="funding_school_export"),
    path("schools/<str:laestab>/settings/", views.settings_edit, name="funding_settings"),
    path("schools/<str:laestab>/payments/import/", views.payments_import, name="funding_payments_import"),
    path("schools/<str:laestab>/claims/new/", views.claim_new, name="funding_claim_new"),
    path("claims/", views.claim_list, name="funding_claims"),
    path("claims/<int:claim_id>/", views.claim_detail, name="funding_claim"),
    path("claims/<int:claim_id>/<str:action>/", views.claim_action, name="funding_claim_action"),
    path("trusts/<slug:slug>/", views.trust_funding, name="funding_trust"),
    path("trusts/<slug:slug>/export.<str:fmt>", views.trust_export, name="funding_trust_export"),
]
