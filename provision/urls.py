from django.urls import path

from . import views

app_name = "provision"

urlpatterns = [
    path("schools/<str:laestab>/", views.school_map, name="school_map"),
    path("schools/<str:laestab>/interventions/new/", views.intervention_new, name="intervention_new"),
    path("interventions/<int:pk>/", views.intervention_detail, name="intervention"),
    path("interventions/<int:pk>/change/", views.intervention_edit, name="intervention_edit"),
    path("interventions/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("interventions/<int:pk>/sessions/new/", views.delivery_new, name="delivery_new"),
    path("sessions/<int:pk>/remove/", views.delivery_remove, name="delivery_remove"),
    path("enrolments/<int:pk>/scores/", views.enrolment_measures, name="enrolment_measures"),
    path("enrolments/<int:pk>/end/", views.enrolment_end, name="enrolment_end"),
    path("pupils/<int:pk>/", views.pupil_provision, name="pupil"),
    path("pupils/<int:pk>/enrol/", views.pupil_enrol, name="pupil_enrol"),
]
