from django.db import migrations, models

# Keys rounds stored next to the stage settings before the stage kinds validated them strictly.
LEGACY = ("label", "params")


def strip_legacy_keys(apps, schema_editor):
    """Stored stages are read through the stage kinds' settings models, where an unknown key is an
    error: the copy of the name under `label` (and an old nested `params`) are folded in."""
    Round = apps.get_model("rounds", "Round")
    for rnd in Round.objects.iterator():
        stages = []
        for entry in rnd.stages or []:
            entry = dict(entry)
            params = entry.pop("params", None) or {}
            label = entry.pop("label", None)
            entry = {**params, **entry}
            entry.setdefault("name", label or entry.get("kind", ""))
            stages.append({k: v for k, v in entry.items() if v is not None})
        if stages != rnd.stages:
            rnd.stages = stages
            rnd.save(update_fields=["stages"])


class Migration(migrations.Migration):

    dependencies = [
        ("rounds", "0002_stage_snapshot"),
    ]

    operations = [
        migrations.RunPython(strip_legacy_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="round",
            name="reference_date",
            field=models.DateField(help_text="按政策规定的条件认定日确定，如遴选年度1月1日",
                                   verbose_name="年龄、岗位计算基准日"),
        ),
    ]
