from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("funnel/", views.funnel, name="funnel"),
    path("targets/", views.targets, name="targets"),
    path("holders/", views.holders, name="holders"),
    path("oversight/", views.oversight, name="oversight"),
    path("payments/", views.payments, name="payments"),
]
