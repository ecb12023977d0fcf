from django.urls import path

from . import views

app_name = "rounds"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_create, name="create"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/overview.xlsx", views.round_overview, name="overview"),
    path("calls/", views.public_calls, name="public_calls"),
    path("calls/<slug:code>/", views.public_call, name="public_call"),
    path("calls/<slug:code>/self-check/", views.self_check, name="self_check"),
    path("calls/<slug:code>/forms/<slug:which>.pdf", views.blank_form, name="blank_form"),
]
