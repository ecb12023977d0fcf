from django.urls import path

from . import views

app_name = "honours"
urlpatterns = [
    path("", views.register, name="register"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("<int:pk>/reissue/", views.reissue, name="reissue"),
    path("<int:pk>/decide/<str:kind>/", views.decide, name="decide"),
    path("renewals/<int:pk>/", views.renewal, name="renewal"),
    path("duties/", views.duties, name="duties"),
    path("duties/<int:pk>/", views.duty, name="duty"),
    path("rounds/<int:round_pk>/certificates.pdf", views.round_batch, name="round_batch"),
]
