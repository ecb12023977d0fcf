from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/files/<int:file_pk>/", views.evidence_file, name="file"),
    path("<int:pk>/form.pdf", views.application_form_pdf, name="form_pdf"),
    path("rounds/<int:round_pk>/competition/", views.competition, name="competition"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("units/<int:pk>/report.pdf", views.unit_report_pdf, name="unit_report_pdf"),
]
