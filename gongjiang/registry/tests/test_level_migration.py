"""Adding 乡镇（街道）级 renumbered the stored competition levels (registry 0009, applications 0005):
rows written before keep their meaning, and "this level or higher" still compares correctly."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gongjiang.core.vocab import CompetitionLevel

BEFORE = [("registry", "0008_import_attributes_designations"), ("applications", "0004_unit_notice")]
AFTER = [("registry", "0009_township_level"), ("applications", "0005_township_level")]


@pytest.mark.django_db(transaction=True)
def test_old_rows_keep_their_meaning_after_the_township_level():
    import datetime as dt

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Org = apps.get_model("accounts", "Organisation")
    Person = apps.get_model("registry", "Person")
    Result = apps.get_model("registry", "CompetitionResult")
    Studio = apps.get_model("registry", "MasterStudio")
    Designation = apps.get_model("registry", "EmployerAttribute")
    place = Org.objects.create(name="迁移测试区", kind="district", path="/")
    firm = Org.objects.create(name="迁移测试厂", kind="enterprise", parent=place, path="/")
    person = Person.objects.create(name="迁移", jurisdiction=place, birth_date=dt.date(1980, 1, 1), gender="M",
                                   id_number_hash="migration-test")
    old = {"企业级": 0, "区县级": 1, "市级": 2, "省级": 3, "国家级": 4, "世界级": 5}
    for label, number in old.items():
        Result.objects.create(person=person, name=label, level=number, rank=1, held_on=dt.date(2020, 1, 1 + number))
    Studio.objects.create(person=person, name="工作室", level=2, established_on=dt.date(2020, 1, 1))
    Designation.objects.create(organisation=firm, attribute="specialised_sme", level=3)
    Designation.objects.create(organisation=firm, attribute="high_tech_enterprise", level=None)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    got = dict(apps.get_model("registry", "CompetitionResult").objects.values_list("name", "level"))
    assert {name: CompetitionLevel(level).label for name, level in got.items()} == {k: k for k in old}
    assert apps.get_model("registry", "MasterStudio").objects.get().level == CompetitionLevel.CITY
    levels = dict(apps.get_model("registry", "EmployerAttribute").objects.values_list("attribute", "level"))
    assert levels == {"specialised_sme": CompetitionLevel.PROVINCIAL, "high_tech_enterprise": None}
    # "provincial or higher" on the renumbered rows
    higher = apps.get_model("registry", "CompetitionResult").objects.filter(level__gte=CompetitionLevel.PROVINCIAL)
    assert set(higher.values_list("name", flat=True)) == {"省级", "国家级", "世界级"}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_application_facts_shift_keeps_meaning_and_skill_levels():
    import importlib

    mod = importlib.import_module("gongjiang.applications.migrations.0005_township_level")
    facts = {"competitions": [{"level": 3}, {"level": "1"}, {"level": 0}, {"level": "省级"}],
             "titles": [{"level": 2}], "skill": {"level": 5}, "apprentices": [{"level": 4}]}
    assert mod.shift_facts(facts, 1)
    assert [r["level"] for r in facts["competitions"]] == [4, "2", 0, "省级"]
    assert facts["titles"][0]["level"] == CompetitionLevel.CITY
    assert facts["skill"]["level"] == 5 and facts["apprentices"][0]["level"] == 4
    mod.shift_facts(facts, -1)
    assert [r["level"] for r in facts["competitions"]] == [3, "1", 0, "省级"]
