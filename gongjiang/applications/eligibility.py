"""The eligibility result of one application: the registry's records of the person merged with
what the application declares, evaluated by the policy engine on the round's reference date.

Facts:
* registry rows: `gongjiang.registry.facts.FactsBuilder` over a selection of one person (the
  builder screening uses, so an application and a screening run cannot disagree on the same
  records). They keep their own source (部门数据, 批量导入, 本人申报 ...) and verification, and
  the registry is the record of reference, so its lists are complete: credit records, employer
  status, insured months and certificates on record are judged, not left to review.
  The builder also loads the application's employer with its status records (EmployerRecord),
  even when the person has no employment spell there yet.
* declared rows: the application's form (`rounds.policy_link.application_record`), source
  "self-declared" on the self route and "employer" otherwise. A declared row that repeats a
  registry row (the form is pre-filled from the registry) is dropped, so nothing counts twice;
  declared insured months are dropped when the registry holds insurance periods (the social
  insurance agency's data is the reference for months).
* no registry person: the declared facts alone (what the form asks; the rest needs review).

`evaluate(application)` returns (explanation as plain JSON, overall status); services store it.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from gongjiang.policy.facts import EVENT_TABLES, SCHEMA, Facts, Table
from gongjiang.rounds import policy_link

from .models import Route

# Coded columns: table -> {column: vocabulary}.
CODED = {
    "employment": {"occupation": "occupation"}, "certificates": {"occupation": "occupation"},
    "competitions": {"occupation": "occupation"}, "titles": {"title": "title"},
    "achievements": {"kind": "achievement"}, "programmes": {"programme": "programme"},
    "records": {"kind": "record"}, "attestations": {"clause": "clause"}, "org_records": {"kind": "org_record"},
}
# Columns that identify "the same fact" when a declared row repeats a registry row.
SAME_FACT = {
    "employment": ("org", "start"), "certificates": ("level", "issued"),
    "competitions": ("level", "klass", "rank", "date"), "titles": ("title", "start"),
    "achievements": ("kind", "level", "date"), "apprentices": ("level",), "studios": ("kind", "start"),
    "programmes": ("programme", "start"), "records": ("kind", "start"),
}
BASIS_LABELS = {
    "registry+declared": "人才库记录（含部门数据、单位和本人登记信息）与本申报填报信息合并",
    "declared": "本申报填报的信息（人才库中无此人记录）",
}


def declared_source(application) -> str:
    return "self" if application.route == Route.SELF else "employer"


def declared_record(application) -> tuple[dict, dict]:
    """(person dict for Facts.from_records with every row's source set, employers dict)."""
    record = policy_link.application_record(application.facts, employer=application.employer)
    source = declared_source(application)
    for key in ("employment", "insurance", "certificates", "competitions", "titles", "apprentices"):
        for row in record.get(key, []):
            row["source"] = source
    employers = {}
    for job in record.get("employment", []):
        spec = {k: job[k] for k in ("place", "sector") if job.get(k)}
        if application.employer_id and job["employer"] == application.facts.get("employment", {}).get("employer_name"):
            spec["ref"] = application.employer_id
        employers[job["employer"]] = spec
    return record, employers


def registry_facts(person, *, policy_file, on, honour=None, employer=None) -> Facts:
    """The registry's facts of one person (a batch of one through the screening builder)."""
    from gongjiang.registry.facts import FactsBuilder
    from gongjiang.registry.models import Person
    from gongjiang.registry.screening import insurance_window

    builder = FactsBuilder(Person.objects.filter(pk=person.pk),
                           insurance_months=insurance_window(policy_file, on, honour), labels="names")
    if employer is not None:
        builder.employer_pks.add(employer.pk)
    return builder.build(parallel=False)


def _remap_words(base_vocab: dict[str, list[str]], other: Facts, vocab: str, codes: np.ndarray) -> np.ndarray:
    words = base_vocab.setdefault(vocab, [])
    index = {w: i for i, w in enumerate(words)}
    out = np.full(len(codes), -1, dtype=codes.dtype)
    for i, code in enumerate(codes.tolist()):
        if code < 0:
            continue
        word = other.vocab[vocab][code]
        if word not in index:
            index[word] = len(words)
            words.append(word)
        out[i] = index[word]
    return out


def _unmatched(base: Table, extra: Table, key: tuple[str, ...]) -> np.ndarray:
    """bool mask over `extra`: rows not matched one-to-one by a base row with the same key."""
    available = Counter(zip(*(base.columns[c].tolist() for c in key)))
    keep = np.ones(len(extra), dtype=bool)
    for i, k in enumerate(zip(*(extra.columns[c].tolist() for c in key))):
        if available[k] > 0:
            available[k] -= 1
            keep[i] = False
    return keep


def merge(registry: Facts, declared: Facts) -> Facts:
    """One person's registry facts with the declared facts added (both batches of one)."""
    if registry.n != 1 or declared.n != 1:
        raise ValueError("merge expects batches of one person")
    vocab = {k: list(v) for k, v in registry.vocab.items()}
    place_of = {p: i for i, p in enumerate(registry.place_paths)}
    place_map = np.array([place_of.get(p, -1) for p in declared.place_paths] + [-1], dtype=np.int32)

    def places(col):
        return place_map[np.where(col >= 0, col, len(place_map) - 1)]

    # Organisations: a declared employer that is a registry organisation (same pk) is that row,
    # so its status records apply; any other declared employer is appended.
    orgs = {c: list(registry.orgs.columns[c]) for c in SCHEMA["orgs"]}
    org_names = list(registry.org_names)
    by_ref = {int(r): i for i, r in enumerate(registry.orgs.ref.tolist()) if r >= 0}
    org_map = []
    for i in range(len(declared.orgs)):
        ref = int(declared.orgs.ref[i])
        if ref >= 0 and ref in by_ref:
            org_map.append(by_ref[ref])
            continue
        org_map.append(len(org_names))
        org_names.append(declared.org_names[i])
        for c in SCHEMA["orgs"]:
            value = declared.orgs.columns[c][i]
            orgs[c].append(places(np.array([value]))[0] if c == "place" else value)
    org_map = np.array(org_map + [-1], dtype=np.int32)

    def org_index(col):
        return org_map[np.where(col >= 0, col, len(org_map) - 1)]

    tables = {"places": registry.places,
              "orgs": Table("orgs", {c: np.asarray(v, dtype=SCHEMA["orgs"][c]) for c, v in orgs.items()})}
    person = Table("person", {c: a.copy() for c, a in registry.person.columns.items()})
    for t in EVENT_TABLES:
        person.columns[f"known_{t}"] = np.maximum(registry.person[f"known_{t}"], declared.person[f"known_{t}"])
    tables["person"] = person
    reasons = list(registry.attestation_reasons)
    for name in (*EVENT_TABLES, "org_records"):
        base, extra = registry.tables[name], declared.tables[name]
        cols = {c: a.copy() for c, a in extra.columns.items()}
        if "org" in cols:
            cols["org"] = org_index(cols["org"])
        if "place" in cols:
            cols["place"] = places(cols["place"])
        for col, voc in CODED.get(name, {}).items():
            cols[col] = _remap_words(vocab, declared, voc, cols[col])
        extra = Table(name, cols)
        if name == "insurance" and len(base):
            keep = np.zeros(len(extra), dtype=bool)
        elif name in SAME_FACT:
            keep = _unmatched(base, extra, SAME_FACT[name])
        else:
            keep = np.ones(len(extra), dtype=bool)
        tables[name] = Table(name, {c: np.concatenate([base.columns[c], extra.columns[c][keep]]).astype(dtype)
                                    for c, dtype in SCHEMA[name].items()})
        if name == "attestations":
            reasons += [r for r, k in zip(declared.attestation_reasons, keep) if k]
    merged = Facts(n=1, tables=tables, vocab=vocab, labels=list(registry.labels), org_names=org_names,
                   place_paths=list(registry.place_paths), attestation_reasons=reasons)
    return merged.check()


def application_facts(application, *, policy_file) -> tuple[Facts, str, list[str]]:
    """(facts, basis, notes): the facts the application is judged on."""
    notes = []
    try:
        record, employers = declared_record(application)
        declared = Facts.from_records([record], employers=employers, policy=policy_file.code)
    except (ValueError, KeyError) as e:
        if application.person_id is None:
            raise
        declared = None
        notes.append(f"申报填报的信息无法用于资格初判（{e}），仅依据人才库记录。")
    if application.person_id is None:
        return declared, "declared", notes
    rnd = application.round
    registry = registry_facts(application.person, policy_file=policy_file, on=rnd.reference_date,
                              honour=application.tier or None, employer=application.employer)
    return (registry if declared is None else merge(registry, declared)), "registry+declared", notes


def evaluate(application) -> tuple[dict, str]:
    """The engine's result for the application on the round's reference date, as plain JSON
    (clauses with the facts used, each with its source and verification) and the overall status."""
    from gongjiang.policy.engine import evaluate as run
    from gongjiang.policy.explain import explain

    rnd = application.round
    policy_file = policy_link.parsed(rnd.policy)
    try:
        facts, basis, notes = application_facts(application, policy_file=policy_file)
    except (ValueError, KeyError) as e:
        return {"error": f"申报信息无法用于资格初判：{e}"}, "needs_review"
    batch_result = run(policy_file, facts, on=rnd.reference_date, honour=application.tier or None)
    result = explain(batch_result, 0, label=application.name)
    data = {
        "overall": result.overall, "automatic": result.automatic, "in_force": result.in_force,
        "on": result.on.isoformat(), "honour": result.honour, "basis": basis, "basis_label": BASIS_LABELS[basis],
        "notes": notes,
        "clauses": [{"article": c.article, "depth": c.depth, "status": c.status, "tone": c.tone, "status_label": c.status_label,
                     "sentence": c.sentence,
                     "facts": [{"text": f.text, "source": f.source, "verification": f.verification,
                                "ref": f.ref if f.ref >= 0 else None} for f in c.facts]}
                    for c in result.clauses],
        "priority": policy_link.priority_results(batch_result),
    }
    return data, result.overall


def competition_placements(person, rnd, tier=None) -> list[dict]:
    """The person's registry placements that support the policy's competition clauses (in a round
    of several tiers, tier `tier`'s), each with the clauses it supports: placements a `competition`
    clause matches (level, class, rank, within its years), and for a clause reviewers judge from
    competition records (e.g. 环翠 第七条（二） 市级一、二类职业技能竞赛成绩优异者, kind manual with
    evidence competitions) every placement on record, marked as judged by the reviewers."""
    from gongjiang.policy.engine import evaluate as run
    from gongjiang.policy.schema import walk
    from gongjiang.registry.models import CompetitionResult

    policy_file = policy_link.parsed_on(rnd.policy, rnd.reference_date)
    honour = policy_file.honour(tier or rnd.honour_code or None)
    facts = registry_facts(person, policy_file=policy_file, on=rnd.reference_date, honour=honour.code)
    result = run(policy_file, facts, on=rnd.reference_date, honour=honour.code)
    refs = facts.competitions.ref
    supports: dict[int, list[dict]] = {}
    for clause in walk(honour.eligibility):
        manual = clause.kind == "manual" and "competitions" in (getattr(clause, "evidence", None) or [])
        if clause.kind != "competition" and not manual:
            continue
        rows = result.outcomes[clause.id].rows.get("competitions")
        if rows is None:
            continue
        for r in np.nonzero(rows)[0]:
            supports.setdefault(int(refs[r]), []).append(
                {"article": clause.article, "text": clause.text or "", "judged": "审核认定" if manual else "符合"})
    placements = CompetitionResult.objects.filter(pk__in=list(supports)).exclude(verification="rejected")
    return [{"placement": c, "clauses": supports[c.pk]} for c in placements.order_by("-held_on", "pk")]


def competition_clauses(rnd, tier=None) -> list:
    """The honour's (tier `tier`'s) clauses about competition results (structured or judged by reviewers)."""
    from gongjiang.policy.schema import walk

    honour = policy_link.honour_of(rnd.policy, tier or rnd.honour_code, on=rnd.reference_date)
    return [c for c in walk(honour.eligibility)
            if c.kind == "competition" or (c.kind == "manual" and "competitions" in (getattr(c, "evidence", None) or []))]
