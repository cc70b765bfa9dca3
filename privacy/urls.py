from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("schools/<str:laestab>/", views.school, name="school"),
    path("pupils/<int:pk>/", views.pupil, name="pupil"),
    path("pupils/<int:pk>/export/", views.pupil_export, name="pupil_export"),
    path("pupils/<int:pk>/erase/", views.pupil_erase, name="pupil_erase"),
]
