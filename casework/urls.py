from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("due/", views.due_list, name="due_list"),
    path("reviews/", views.reviews_due, name="reviews_due"),
    path("requests/", views.ehc_requests, name="ehc_requests"),
    path("timeliness/", views.timeliness, name="timeliness"),
    path("activity/", views.activity, name="activity"),
    path("activity/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activity/<int:pk>/correct/", views.activity_correct, name="activity_correct"),
    path("schools/<str:laestab>/cases/", views.school_cases, name="school_cases"),
    path("schools/<str:laestab>/cases/new/", views.case_open, name="case_open"),
    path("schools/<str:laestab>/ehc/", views.school_ehc, name="school_ehc"),
    path("schools/<str:laestab>/ehc/requests/new/", views.ehc_request_new, name="ehc_request_new"),
    path(
        "schools/<str:laestab>/ehc/requests/new/check/",
        views.ehc_request_new_check,
        name="ehc_request_new_check",
    ),
    path("schools/<str:laestab>/ehc/plans/new/", views.plan_new, name="plan_new"),
    path("schools/<str:laestab>/ehc/plans/new/check/", views.plan_new_check, name="plan_new_check"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/notes/", views.case_add_note, name="case_add_note"),
    path("cases/<int:pk>/update/", views.case_update, name="case_update"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("ehc-requests/<int:pk>/", views.ehc_request_detail, name="ehc_request_detail"),
    path("ehc-requests/<int:pk>/steps/", views.ehc_request_step, name="ehc_request_step"),
    path("ehc-requests/<int:pk>/steps/<slug:step>/", views.ehc_step_form, name="ehc_step_form"),
    path("ehc-requests/<int:pk>/steps/<slug:step>/check/", views.ehc_step_check, name="ehc_step_check"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/details/", views.plan_complete, name="plan_complete"),
    path("plans/<int:pk>/reviews/", views.plan_review, name="plan_review"),
    path("plans/<int:pk>/reviews/check/", views.plan_review_check, name="plan_review_check"),
    path("plans/<int:pk>/decision/", views.plan_review_decision, name="plan_review_decision"),
    path(
        "plans/<int:pk>/decision/check/", views.plan_review_decision_check, name="plan_review_decision_check"
    ),
    path("plans/<int:pk>/review-steps/", views.plan_review_preparation, name="plan_review_preparation"),
    path("plans/<int:pk>/review-report/", views.plan_review_report, name="plan_review_report"),
    path("consultations/", views.consultations, name="consultations"),
    path("schools/<str:laestab>/consultations/", views.school_consultations, name="school_consultations"),
    path("schools/<str:laestab>/consultations/new/", views.consultation_new, name="consultation_new"),
    path(
        "schools/<str:laestab>/consultations/new/check/",
        views.consultation_new_check,
        name="consultation_new_check",
    ),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/response/", views.consultation_response, name="consultation_response"),
    path(
        "consultations/<int:pk>/response/check/",
        views.consultation_response_check,
        name="consultation_response_check",
    ),
    path("consultations/<int:pk>/sign-off/", views.consultation_sign_off, name="consultation_sign_off"),
    path("consultations/<int:pk>/outcome/", views.consultation_outcome, name="consultation_outcome"),
]
