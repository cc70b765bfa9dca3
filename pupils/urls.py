from django.urls import path

from . import views

app_name = "pupils"

urlpatterns = [
    path("schools/<str:laestab>/register/", views.register, name="register"),
    path("schools/<str:laestab>/register/add/", views.pupil_add, name="pupil_add"),
    path("schools/<str:laestab>/register/export.<str:fmt>", views.register_export, name="register_export"),
    path("schools/<str:laestab>/census/import/", views.census_upload, name="school_census_upload"),
    path("<int:pk>/", views.pupil_detail, name="pupil_detail"),
    path("<int:pk>/change/", views.pupil_change, name="pupil_change"),
    path("<int:pk>/remove/", views.pupil_remove, name="pupil_remove"),
    path("imports/", views.census_upload, name="census_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import_retry"),
]
