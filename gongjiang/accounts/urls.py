from django.urls import path

from . import citizen_views, views

app_name = "accounts"
urlpatterns = [
    path("organisations/", views.org_list, name="org_list"),
    path("organisations/export/", views.org_export, name="org_export"),
    path("organisations/new/", views.org_create, name="org_create"),
    path("organisations/<int:pk>/", views.org_detail, name="org_detail"),
    path("organisations/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/export/", views.user_export, name="user_export"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/activate/", views.user_activate, name="user_activate"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("password/", views.password_change, name="password_change"),
    path("signup/", citizen_views.signup, name="signup"),
    path("password-reset/", citizen_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", citizen_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", citizen_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password-reset/done/", citizen_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("assisted-reset/", citizen_views.assisted_reset, name="assisted_reset"),
]
