from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<str:laestab>/", views.school_detail, name="school_detail"),
]
