from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "gongjiang.review"
    label = "review"
    verbose_name = "评审"

    def ready(self):
        from gongjiang.web import nav

        from . import inbox  # noqa: F401  (registers the home-page providers)
        nav.register("评审管理", "review:rounds", "review.manage", order=40)
        nav.register("专家库", "review:experts", "review.manage", order=43)
        nav.register("专家评分", "review:expert_home", "review.score", order=41)
        nav.register("委员会表决", "review:committee_home", "review.vote", order=42)
