from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("packs/", views.pack_list, name="pack_list"),
    path("pupils/<int:pupil_id>/", views.pupil_packs, name="pupil_packs"),
    path("pupils/<int:pupil_id>/new/", views.pack_new, name="pack_new"),
    path("pupils/<int:pupil_id>/professionals/new/", views.professional_new, name="professional_new"),
    path("packs/<int:pk>/", views.pack_detail, name="pack_detail"),
    path("packs/<int:pk>/pack.pdf", views.pack_pdf, name="pack_pdf"),
    path("packs/<int:pk>/send/", views.pack_send, name="pack_send"),
    path("packs/<int:pk>/send/check/", views.pack_send_check, name="pack_send_check"),
    path("packs/<int:pk>/delete/", views.pack_discard, name="pack_discard"),
]
