from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    path("schools/<str:laestab>/import/", views.import_upload, name="import_upload"),
    path("schools/<str:laestab>/export/", views.export, name="export"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("pupils/<int:pk>/release/", views.move_release, name="move_release"),
    path("pupils/<int:pk>/release/check/", views.move_release_check, name="move_release_check"),
    path("schools/<str:laestab>/released/", views.moves_incoming, name="moves_incoming"),
    path("moves/<int:pk>/", views.move_detail, name="move_detail"),
    path("moves/<int:pk>/receive/", views.move_receive, name="move_receive"),
    path("moves/<int:pk>/cancel/", views.move_cancel, name="move_cancel"),
]
