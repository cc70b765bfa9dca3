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
    path("schools/<str:laestab>/ehc/requests/new/", views.ehc_request_new,
         name="ehc_request_new"),
    path("schools/<str:laestab>/ehc/plans/new/", views.plan_new, name="plan_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/notes/", views.case_add_note, name="case_add_note"),
    path("cases/<int:pk>/update/", views.case_update, name="case_update"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("ehc-requests/<int:pk>/", views.ehc_request_detail, name="ehc_request_detail"),
    path("ehc-requests/<int:pk>/steps/", views.ehc_request_step, name="ehc_request_step"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/details/", views.plan_complete, name="plan_complete"),
    path("plans/<int:pk>/reviews/", views.plan_review, name="plan_review"),
    path("plans/<int:pk>/decision/", views.plan_review_decision, name="plan_review_decision"),
]
