from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "gongjiang.review"
    label = "review"
    verbose_name = "评审"
