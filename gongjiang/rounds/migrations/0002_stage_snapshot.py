from django.db import migrations, models


def backfill(apps, schema_editor):
    """Rounds opened before this migration kept only kind/label/article of each stage: fill in the
    other parameters from the policy as loaded now (the best record there is) and note its digest."""
    Round = apps.get_model("rounds", "Round")
    for rnd in Round.objects.select_related("policy").iterator():
        document = rnd.policy.document if isinstance(rnd.policy.document, dict) else {}
        params = {}
        for entry in document.get("procedure", []):
            params.setdefault(entry.get("kind"), {k: v for k, v in entry.items() if v is not None})
        stages = []
        for entry in rnd.stages or []:
            own = {k: v for k, v in entry.items() if v is not None}
            merged = {**params.get(entry.get("kind"), {}), **own}
            merged.setdefault("label", merged.get("name", ""))
            stages.append(merged)
        rnd.stages = stages
        rnd.policy_sha256 = rnd.policy_sha256 or rnd.policy.sha256
        rnd.save(update_fields=["stages", "policy_sha256"])


class Migration(migrations.Migration):

    dependencies = [
        ('rounds', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='round',
            name='policy_sha256',
            field=models.CharField(blank=True, help_text='创建批次时政策文件的 sha256，与评审环节参数一同固定', max_length=64, verbose_name='政策文件摘要'),
        ),
        migrations.AlterField(
            model_name='round',
            name='stages',
            field=models.JSONField(blank=True, default=list, help_text='创建批次时从政策文件复制（含各环节全部参数），之后政策修订不影响本批次', verbose_name='评审环节'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
