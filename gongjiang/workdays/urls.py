from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year, name="year"),
    path("<int:year>/export/", views.export, name="export"),
    path("day/<int:pk>/remove/", views.remove_day, name="remove_day"),
]
