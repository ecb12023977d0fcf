from django.urls import path

from . import expert_views, views

app_name = "review"

urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("rounds/<int:round_id>/", views.board, name="board"),
    path("rounds/<int:round_id>/draw/", views.draw, name="draw"),
    path("rounds/<int:round_id>/results/", views.results, name="results"),
    path("rounds/<int:round_id>/sessions/new/", views.open_session, name="open_session"),
    path("rounds/<int:round_id>/notice/", views.publish_notice, name="publish_notice"),
    path("rounds/<int:round_id>/after-notice/", views.advance_after_notice, name="advance_after_notice"),
    path("rounds/<int:round_id>/forwarding/", views.forwarding, name="forwarding"),
    path("applications/<int:application_id>/", views.application, name="application"),
    path("applications/<int:application_id>/accept/", views.accept, name="accept"),
    path("panels/<int:panel_id>/", views.panel, name="panel"),
    path("assignments/<int:assignment_id>/paper-score/", views.paper_score, name="paper_score"),
    path("panels/<int:panel_id>/members/", expert_views.add_panel_member, name="add_panel_member"),
    path("sessions/<int:session_id>/manage/", views.manage_session, name="manage_session"),
    path("expert/", views.expert_home, name="expert_home"),
    path("expert/<int:application_id>/", views.expert_candidate, name="expert_candidate"),
    path("expert/<int:application_id>/evidence/<int:evidence_id>/", views.expert_evidence, name="expert_evidence"),
    path("committee/", views.committee_home, name="committee_home"),
    path("committee/sessions/<int:session_id>/", views.session, name="session"),
    path("mine/<int:application_id>/", views.my_application, name="my_application"),
    path("experts/", expert_views.expert_list, name="experts"),
    path("experts/add/", expert_views.expert_add, name="expert_add"),
    path("experts/import/", expert_views.expert_import, name="expert_import"),
    path("experts/<int:expert_id>/", expert_views.expert_detail, name="expert_detail"),
    path("experts/<int:expert_id>/active/", expert_views.expert_active, name="expert_active"),
    path("experts/<int:expert_id>/relations/", expert_views.expert_relation_add, name="expert_relation_add"),
    path("experts/<int:expert_id>/relations/<int:relation_id>/remove/", expert_views.expert_relation_remove,
         name="expert_relation_remove"),
    path("rounds/<int:round_id>/compose/", expert_views.compose, name="compose"),
]
