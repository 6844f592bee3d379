"""Every spec file loads into its typed model: a misspelt key or a value outside its Literal fails
when the spec loads, with the file and the key named, not on some LA's refresh."""

import pytest

import pipeline.specs as specs
from pipeline.specs import SpecError
from tests.specs.conftest import edit

# (file, text in it, the misspelling, what the error says)
MISSPELT = [
    ("entities.yml", "sex: {type: code, required: true, codes: sex}", "sex: {type: code, required: true, code: sex}",
     "children.columns.sex.code: unknown key"),
    ("entities.yml", "- {earlier: referral_date, later: closure_date, severity: error}",
     "- {earlier: referral_date, later: closure_date, severity: fatal}",
     "referrals.order.0.severity: 'fatal': Input should be 'error' or 'warning'"),
    ("entities.yml", "contact_datetime: {type: datetime, required: true}", "contact_datetime: {type: timestamp, required: true}",
     "contacts.columns.contact_datetime.type: 'timestamp': Input should be 'id', 'string', 'code', "
     "'flag', 'date', 'datetime', 'integer' or 'decimal'"),
    ("entities.yml", "months_before: 9", "month_before: 9", "children.birth_floor.1.month_before: unknown key"),
    ("entities.yml", "one_of: {columns: [date_of_birth, expected_date_of_birth]",
     "one_of: {columns: [date_of_birth, expected_birth_date]",
     "children: names expected_birth_date, not a column of children"),
    # practice.md's rule kinds (p_extract)
    ("entities.yml", "  extras: drop\n  columns:\n    allocation_id", "  extras: dropped\n  columns:\n    allocation_id",
     "allocations.extras: 'dropped': Input should be 'keep' or 'drop'"),
    ("entities.yml", "{rule: overlapping_workers, kind: overlapping_workers}", "{rule: overlapping_workers, kind: overlaps}",
     "allocations.warnings.0.kind: 'overlaps'"),
    ("entities.yml", "worker_id: {type: id, pseudonym: worker}\n    worker_role",
     "worker_id: {type: id, pseudonym: staff}\n    worker_role", "allocations.columns.worker_id.pseudonym: 'staff'"),
    ("entities.yml", "if: {worker_id: given}, then: {worker_role: given}", "if: {worker_id: given}, then: {worker_roles: given}",
     "allocations: names worker_roles, not a column of allocations"),
    ("entities.yml", "fte: {type: decimal, required: true, scale: 2,", "fte: {type: decimal, required: true, scales: 2,",
     "workforce_posts.columns.fte.scales: unknown key"),
    ("entities.yml", "earlier: [initiated_date, discussion_date], later: completed_date",
     "earlier: [initiated_date, discussed_date], later: completed_date",
     "strategy_discussions: names discussed_date, not a column of strategy_discussions"),
    ("entities.yml", "    - entity: cin_plans\n", "    - entity: cin_plan\n",
     "cin_reviews.references.0.entity: 'cin_plan' is not an entity of entities.yml"),
    ("gate.yml", "    default: 0.05\n", "    defualt: 0.05\n", "thresholds.max_quarantine_share.defualt: unknown key"),
    ("gate.yml", "kind: share", "kind: shares", "thresholds.max_quarantine_share.kind: 'shares'"),
    ("annex_a.yml", "  list_1: {title: List 1 (contacts), identify: [child_id, contact_date, contact_source], window_months: 6}",
     "  list_1: {title: List 1 (contacts), identify: [child_id, contact_date, contact_source], window_month: 6}",
     "lists.list_1.window_month: unknown key"),
    ("annex_a.yml", "where: {field: cin_case_status, map: case_status, in: [CIN_PLAN]}",
     "where: {field: cin_case_status, map: case_statuses, in: [CIN_PLAN]}",
     "code map case_statuses is named but not defined"),
    ("annex_a.yml", "      contact_datetime: contact_date\n", "      contact_datetime: contact_dates\n",
     "field contact_dates is named but not defined"),
    ("cin_census.yml", "max_file_mb: 200", "max_file_MB: 200", "max_file_MB: unknown key"),
    ("cin_census.yml", "      referral_date: CINreferralDate\n", "      referal_date: CINreferralDate\n",
     "referrals: referal_date is not a column of referrals in entities.yml"),
    ("cin_census.yml", "      REF_REREFERRAL: {months: 12,", "      REF_REREFERAL: {months: 12,",
     "coverage.referrals: REF_REREFERAL is not an indicator of seeds/indicator_catalogue.csv"),
    ("ssda903.yml", "  rename: {CHILDID: CHILD, PL: PLACE}", "  renames: {CHILDID: CHILD, PL: PLACE}",
     "xml.renames: unknown key"),
    ("ssda903.yml", "    kind: episodes\n", "    kind: episode\n", "kind episode is named but not defined"),
    ("la_settings.yml", "cp_visit_wd: {type: integer,", "cp_visit_wd: {type: int,",
     "settings.cp_visit_wd.type: 'int': Input should be 'integer' or 'flag'"),
    ("la_settings.yml", "caseload_high: {type: integer, min: 1, max: 99, default: 20,",
     "caseload_high: {type: integer, min: 1, max: 99, default: 200,",
     "settings.caseload_high: default 200 is not a whole number from 1 to 99"),
]
LOADERS = {"entities.yml": specs.entities, "gate.yml": specs.gate, "annex_a.yml": lambda: specs.format_spec("annex_a"),
           "cin_census.yml": lambda: specs.format_spec("cin_census"), "ssda903.yml": lambda: specs.format_spec("ssda903"),
           "la_settings.yml": specs.settings_spec}


def test_the_specs_as_shipped_load():
    assert set(specs.entities()) >= {"children", "referrals", "cla_episodes"}
    assert specs.load_order()[0] == "children"
    for name in ("annex_a", "cin_census", "ssda903"):
        specs.format_spec(name)
    assert "cp_visit_wd" in specs.settings_spec().settings


@pytest.mark.parametrize("file, old, new, message", MISSPELT, ids=[f"{m[0]}:{m[2][:30]}" for m in MISSPELT])
def test_a_misspelt_key_or_unknown_value_fails_at_load_naming_file_and_key(spec_dir, file, old, new, message):
    edit(spec_dir / file, old, new)
    with pytest.raises(SpecError) as failure:
        LOADERS[file]()
    assert str(failure.value).startswith(f"{spec_dir / file}: ")
    assert message in str(failure.value)


def test_the_load_order_must_start_with_the_children(spec_dir):
    edit(spec_dir / "gate.yml", "load_first: [children]", "load_first: [referrals]")
    with pytest.raises(SpecError, match=r"gate\.yml: load_first: lacks children, which the other entities' rows are "
                                        "checked against"):
        specs.gate()


def test_a_referenced_entity_must_load_first(spec_dir):
    edit(spec_dir / "gate.yml", "load_first: [children]", "load_first: [children, cin_reviews]")
    with pytest.raises(SpecError, match=r"entities\.yml: cin_reviews\.references: cin_plans loads after cin_reviews"):
        specs.gate()


def test_a_code_list_that_does_not_exist_fails_at_load(spec_dir):
    edit(spec_dir / "entities.yml", "codes: referral_source}", "codes: referral_sources}")
    with pytest.raises(SpecError, match=r"entities\.yml: contacts\.columns\.contact_source\.codes: 'referral_sources' "
                                        r"is not a list in seeds/code_lists\.csv"):
        specs.entities()
