"""The YAML policy test cases beside each policy file, and their coverage of every clause."""
import pytest

from gongjiang.policy.cases import case_files, coverage_gaps, policy_path_for, run_file
from gongjiang.policy.loader import policy_files

CASE_FILES = case_files()


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_policy_cases_give_expected_clause_results(path):
    results = run_file(path)
    assert results
    failures = [str(r) for r in results if not r.ok]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_policy_cases_cover_every_clause_with_pass_and_fail(path):
    gaps = coverage_gaps(path)
    assert not gaps, "\n".join(gaps)


def test_every_policy_file_has_a_cases_file():
    with_cases = {policy_path_for(p) for p in CASE_FILES}
    assert set(policy_files()) <= with_cases
