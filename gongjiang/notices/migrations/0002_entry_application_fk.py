"""NoticeEntry.application_id (a plain integer while applications.Application did not exist yet)
becomes a nullable foreign key; links to applications that exist are kept."""
from django.db import migrations, models


def copy_links(apps, schema_editor):
    NoticeEntry = apps.get_model("notices", "NoticeEntry")
    Application = apps.get_model("applications", "Application")
    existing = set(Application.objects.values_list("pk", flat=True))
    for entry in NoticeEntry.objects.exclude(application_ref=None):
        if entry.application_ref in existing:
            NoticeEntry.objects.filter(pk=entry.pk).update(application_id=entry.application_ref)


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial"), ("applications", "0002_initial")]
    operations = [
        migrations.RenameField("noticeentry", "application_id", "application_ref"),
        migrations.AddField("noticeentry", "application", models.ForeignKey(
            "applications.Application", verbose_name="申报", null=True, blank=True,
            on_delete=models.deletion.PROTECT, related_name="notice_entries")),
        migrations.RunPython(copy_links, migrations.RunPython.noop),
        migrations.RemoveField("noticeentry", "application_ref"),
    ]
