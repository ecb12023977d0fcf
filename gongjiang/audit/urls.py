from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("export/", views.entry_export, name="entry_export"),
    path("verify/", views.verify_chain, name="verify"),
    path("<int:pk>/", views.entry_detail, name="entry_detail"),
]
