from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("<int:pk>/", views.public_detail, name="public_detail"),
    path("<int:pk>/pdf/", views.public_pdf, name="public_pdf"),
    path("<int:pk>/objection/", views.file_objection, name="file_objection"),
    path("objection/received/", views.objection_received, name="objection_received"),
    path("objection/lookup/", views.lookup, name="lookup"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("manage/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/correct/", views.correct, name="correct"),
    path("manage/<int:pk>/record-objection/", views.record_objection, name="record_objection"),
    path("objections/", views.queue, name="objections"),
    path("objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("objections/attachment/<int:pk>/", views.attachment, name="attachment"),
]
