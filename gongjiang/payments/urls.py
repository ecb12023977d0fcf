from django.urls import path, register_converter

from . import views


class BankFormat:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(BankFormat, "bankfmt")

app_name = "payments"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/prepare/", views.run_prepare, name="run_prepare"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("runs/<int:pk>/requeue/", views.run_requeue, name="run_requeue"),
    path("runs/<int:pk>/import/", views.run_import, name="run_import"),
    path("runs/<int:pk>/bank.<bankfmt:fmt>", views.run_bank_file, name="run_bank_file"),
    path("runs/<int:pk>/lines.xlsx", views.run_lines_export, name="run_lines_export"),
    path("lines/<int:pk>/refuse/", views.line_refuse, name="line_refuse"),
    path("budgets/", views.budgets, name="budgets"),
    path("ledger/", views.ledger, name="ledger"),
    path("people/<int:pk>/", views.person_statement, name="person"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("mine/", views.my_statement, name="mine"),
    path("subsidies/", views.subsidies, name="subsidies"),
    path("subsidies/<int:pk>/", views.subsidy_detail, name="subsidy"),
    path("subsidies/apply/", views.subsidy_apply, name="subsidy_apply"),
    path("receivables/", views.receivables_list, name="receivables"),
    path("receivables/<int:pk>/", views.receivable_detail, name="receivable"),
    path("entitlements/<int:pk>/renewal/", views.renewal_passed, name="renewal"),
    path("sync/", views.sync_honours, name="sync"),
]
