from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    path("schools/<str:laestab>/import/", views.import_upload, name="import_upload"),
    path("schools/<str:laestab>/export/", views.export, name="export"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
