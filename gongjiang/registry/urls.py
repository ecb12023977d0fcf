from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("export/", views.person_export, name="person_export"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/facts/<slug:kind>/add/", views.fact_add, name="fact_add"),
    path("people/<int:pk>/facts/<slug:kind>/<int:fact_pk>/edit/", views.fact_edit, name="fact_edit"),
    path("people/<int:pk>/facts/<slug:kind>/<int:fact_pk>/withdraw/", views.fact_withdraw, name="fact_withdraw"),
    path("people/<int:pk>/facts/<slug:kind>/<int:fact_pk>/verify/", views.fact_verify, name="fact_verify"),
    path("me/", views.my_record, name="my_record"),
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/<int:org_pk>/designations/", views.designations, name="designations"),
    path("employers/<int:org_pk>/designations/add/", views.designation_add, name="designation_add"),
    path("employers/<int:org_pk>/designations/<int:fact_pk>/edit/", views.designation_edit, name="designation_edit"),
    path("employers/<int:org_pk>/designations/<int:fact_pk>/withdraw/", views.designation_withdraw,
         name="designation_withdraw"),
    path("employers/<int:org_pk>/designations/<int:fact_pk>/verify/", views.designation_verify,
         name="designation_verify"),
    path("imports/", views.import_index, name="import_index"),
    path("imports/template/<slug:kind>/", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("screening/", views.screening_index, name="screening_index"),
    path("screening/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("screening/<int:pk>/export/", views.screening_export, name="screening_export"),
    path("screening/<int:pk>/cancel/", views.screening_cancel, name="screening_cancel"),
    path("screening/<int:pk>/invite/", views.screening_invite, name="screening_invite"),
    path("screening/<int:pk>/people/<int:person_pk>/", views.screening_person, name="screening_person"),
    path("screening/<int:pk>/people/<int:person_pk>/invite/", views.screening_invite_person,
         name="screening_invite_person"),
    path("invitations/<int:pk>/", views.invitation_detail, name="invitation_detail"),
    path("invitations/<int:pk>/dismiss/", views.invitation_dismiss, name="invitation_dismiss"),
]
