"""乡镇（街道）级 was inserted between 企业级 (0) and 区县级 in the competition-level scale (registry
migration 0009): the levels written as numbers in applications' facts (competitions, titles,
achievements, studios, programmes, attributes) move one step from 区县级 up so that each keeps its
meaning. Submitted versions are rewritten the same way and their content digest recomputed from the
same payload as at submission, so that digest and content still agree."""
import hashlib
import json

from django.db import migrations

KEYS = ("competitions", "titles", "achievements", "studios", "programmes", "attributes")


def shift_facts(facts, step):
    changed = False
    for key in KEYS:
        for row in (facts or {}).get(key) or []:
            level = row.get("level") if isinstance(row, dict) else None
            number = None
            if isinstance(level, int) and not isinstance(level, bool):
                number = level
            elif isinstance(level, str) and level.strip().isdigit():
                number = int(level)
            if number is None:
                continue
            if step > 0 and number >= 1:
                new = number + 1
            elif step < 0 and number >= 2:
                new = number - 1
            else:
                continue
            row["level"] = new if isinstance(level, int) else str(new)
            changed = True
    return changed


def _digest(payload) -> str:
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def shift(apps, step):
    Application = apps.get_model("applications", "Application")
    Version = apps.get_model("applications", "ApplicationVersion")
    for app in Application.objects.only("pk", "facts").iterator():
        if shift_facts(app.facts, step):
            Application.objects.filter(pk=app.pk).update(facts=app.facts)
    for v in Version.objects.iterator():
        if shift_facts(v.facts, step):
            payload = {"facts": v.facts, "deed_text": v.deed_text, "commitment": v.commitment_name,
                       "evidence": v.evidence}
            Version.objects.filter(pk=v.pk).update(facts=v.facts, digest=_digest(payload))


def forwards(apps, schema_editor):
    shift(apps, 1)


def backwards(apps, schema_editor):
    shift(apps, -1)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_unit_notice"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
