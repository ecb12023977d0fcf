from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<slug:code>/", views.policy_detail, name="detail"),
    path("<slug:code>/procedure/", views.policy_procedure, name="procedure"),
]
