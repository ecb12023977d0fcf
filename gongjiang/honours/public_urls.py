"""Public certificate verification, mounted at /certificates/ (no login)."""
from django.urls import path

from . import public

app_name = "certificates"
urlpatterns = [
    path("", public.lookup, name="lookup"),
    path("v/<str:token>/", public.verify, name="verify"),
]
