"""Finding records by what a user types."""

from __future__ import annotations

import pytest

from briefing.core.lookup import closest, find_stakeholder, resolve_target
from briefing.errors import InputError, NotFound

pytestmark = pytest.mark.both_databases


def test_stakeholders_by_name_in_any_case_or_by_id(demo_store):
    with demo_store.reading() as session:
        ibm = find_stakeholder(session, "ibm")
        assert ibm.name == "IBM"
        assert find_stakeholder(session, str(ibm.id)).name == "IBM"
        with pytest.raises(NotFound, match="did you mean 'Microsoft'"):
            find_stakeholder(session, "Microsfot")


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("stakeholder:Liberty", "stakeholder"),
        ("topic:police use of facial recognition", "topic"),
        ("position:IBM", "position"),
        ("source:IBM quits facial recognition market over racial profiling concerns", "source"),
        ("quote:1", "quote"),
    ],
)
def test_note_targets_resolve(demo_store, spec, kind):
    with demo_store.reading() as session:
        resolved_kind, record_id = resolve_target(session, spec)
    assert resolved_kind == kind and record_id > 0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("IBM", "KIND:NAME_OR_ID"),
        ("company:IBM", "KIND:NAME_OR_ID"),
        ("stakeholder:", "KIND:NAME_OR_ID"),
        ("stakeholder:Libery", "did you mean 'Liberty'"),
        ("quote:99999", "no quote with id"),
        ("position:Arvind Krishna", "has no position"),
    ],
)
def test_bad_targets_are_explained(demo_store, spec, message):
    with demo_store.reading() as session, pytest.raises(InputError, match=message):
        resolve_target(session, spec)


def test_closest_says_nothing_when_nothing_is_close():
    assert closest("zzz", ["IBM", "ACLU"]) == ""
