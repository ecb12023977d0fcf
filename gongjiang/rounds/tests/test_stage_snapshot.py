"""A round keeps the full parameters of its stages and the policy version it was opened on: a later
revision of the policy file does not change a running round (惠阳 第十条 stages as an example)."""
import importlib

import pytest

from gongjiang.policy.models import Policy
from gongjiang.review.stages import Procedure

from .factories import open_round


@pytest.fixture
def huiyang_round(jurisdictions, make_user, clock):
    bureau = make_user("bureau", jurisdictions["惠阳区"])
    return open_round(policy_code="huiyang-chief-technician", organiser=bureau.organisation, actor=bureau)


def test_round_keeps_full_stage_parameters_and_policy_version(huiyang_round):
    rnd = huiyang_round
    stages = {s["kind"]: s for s in rnd.stages}
    assert stages["credit_check"]["departments"] == ["公安", "市场监管", "法院", "检察院", "税务"]
    assert [c["code"] for c in stages["expert_review"]["rubric"]["criteria"]] == [
        "performance", "results", "contribution", "skill"]
    assert stages["public_notice"]["working_days"] == 5
    assert stages["public_notice"]["objection_investigation_working_days"] == 5
    assert stages["public_notice"]["name"] == "公示"
    kinds = {c["effect"]: c["records"] for c in stages["credit_check"]["employer_conditions"]}
    assert "serious_dishonest" in kinds["refuse"] and kinds["suspend"] == ["under_investigation"]
    assert rnd.policy_version == rnd.policy.version and rnd.policy_sha256 == rnd.policy.sha256


def test_policy_revision_leaves_running_round_alone(huiyang_round):
    rnd = huiyang_round
    document = dict(rnd.policy.document)
    document["procedure"] = [dict(s, departments=["公安"]) if s["kind"] == "credit_check" else
                             dict(s, working_days=10) if s["kind"] == "public_notice" else s
                             for s in document["procedure"]]
    Policy.objects.filter(pk=rnd.policy_id).update(document=document, version=rnd.policy.version + 1)
    rnd.refresh_from_db()
    proc = Procedure.for_round(rnd)
    assert len(proc.require("credit_check").departments) == 5
    assert proc.require("public_notice").working_days == 5


def test_backfill_fills_parameters_of_rounds_opened_before_snapshot(huiyang_round):
    """Migrations 0002 and 0003: old rows kept only kind/label/article of each stage; 0002 merges the
    policy's settings, 0003 folds `label` into `name` so the stored stages validate strictly."""
    from django.apps import apps

    rnd = huiyang_round
    type(rnd).objects.filter(pk=rnd.pk).update(
        stages=[{"kind": s["kind"], "label": s["name"], "article": s["article"]} for s in rnd.stages],
        policy_sha256="")
    importlib.import_module("gongjiang.rounds.migrations.0002_stage_snapshot").backfill(apps, None)
    importlib.import_module("gongjiang.rounds.migrations.0003_stage_settings").strip_legacy_keys(apps, None)
    rnd.refresh_from_db()
    stages = {s["kind"]: s for s in rnd.stages}
    assert stages["credit_check"]["departments"][0] == "公安"
    assert stages["expert_review"]["rubric"]["aggregation"] == "mean"
    assert rnd.policy_sha256 == rnd.policy.sha256
    assert "label" not in stages["public_notice"] and stages["public_notice"]["name"] == "公示"
    assert Procedure.for_round(rnd).require("credit_check").department_codes[0] == "police"


def test_stored_stage_with_an_unknown_key_is_an_error(huiyang_round):
    """A round's stored stages are validated again through the stage kinds' models when read."""
    from gongjiang.core.errors import DomainError

    rnd = huiyang_round
    rnd.stages = [dict(s, panel_size=7) if s["kind"] == "expert_review" else s for s in rnd.stages]
    with pytest.raises(DomainError):
        Procedure.for_round(rnd)
