from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("schools/<str:laestab>/plans/", views.school_plans, name="school_plans"),
    path("pupils/<int:pupil_id>/plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/details/", views.plan_details, name="plan_details"),
    path("plans/<int:pk>/assessment/", views.plan_assessment, name="plan_assessment"),
    path("plans/<int:pk>/outcomes/new/", views.outcome_new, name="outcome_new"),
    path("plans/<int:pk>/outcomes/<int:outcome_id>/", views.outcome_edit, name="outcome_edit"),
    path("plans/<int:pk>/outcomes/<int:outcome_id>/remove/", views.outcome_remove, name="outcome_remove"),
    path("plans/<int:pk>/start/", views.plan_activate, name="plan_activate"),
    path("plans/<int:pk>/delete/", views.plan_discard, name="plan_discard"),
    path("plans/<int:pk>/review/", views.review_edit, name="review_edit"),
    path("plans/<int:pk>/review/check/", views.review_check, name="review_check"),
    path("plans/<int:pk>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("pupils/<int:pupil_id>/profile/", views.profile_detail, name="profile_detail"),
    path("pupils/<int:pupil_id>/profile/edit/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/", views.profile_version, name="profile_version"),
    path("profiles/<int:pk>/profile.pdf", views.profile_pdf, name="profile_pdf"),
]
