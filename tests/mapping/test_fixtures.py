"""Every column of every realistic fixture maps exactly as a consultant would map it."""

from __future__ import annotations

import random

import pytest

from discovery.mapping.engine import MappingResult, suggest_mappings
from tests.mapping.fixtures import FIXTURE_BUILDERS, Fixture
from tests.mapping.handmade import HANDMADE_BUILDERS

ALL_FIXTURES: list[Fixture] = [
    build(random.Random(20240601)) for build in [*FIXTURE_BUILDERS, *HANDMADE_BUILDERS]
]


def _run(fixture: Fixture) -> MappingResult:
    return suggest_mappings(fixture.headers, fixture.rows)


def test_fixtures_are_realistic_in_size() -> None:
    for fixture in ALL_FIXTURES:
        assert 20 <= len(fixture.rows) <= 50, fixture.name
        assert list(fixture.expected) == fixture.headers, fixture.name
        assert set(fixture.units) <= {h for h, t in fixture.expected.items() if t}, fixture.name
        for row in fixture.rows:
            assert set(row) == set(fixture.headers), fixture.name
    assert len(next(f for f in ALL_FIXTURES if f.name == "rvtools_vinfo").headers) >= 40


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_every_column_maps_as_expected(fixture: Fixture) -> None:
    result = _run(fixture)
    assert [s.source_field for s in result.suggestions] == fixture.headers
    got = {s.source_field: s.target_field for s in result.suggestions}
    assert got == fixture.expected


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_ranked_columns_are_primary_then_fallbacks(fixture: Fixture) -> None:
    result = _run(fixture)
    ranked = {s.source_field: s.priority for s in result.suggestions if s.priority is not None}
    assert ranked == fixture.priorities
    for target in {s.target_field for s in result.suggestions if s.priority}:
        ranks = sorted(s.priority or 0 for s in result.suggestions if s.target_field == target)
        assert ranks == list(range(1, len(ranks) + 1)), (fixture.name, target)


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_size_columns_carry_their_source_unit(fixture: Fixture) -> None:
    result = _run(fixture)
    units = {s.source_field: s.unit for s in result.suggestions if s.source_field in fixture.units}
    assert units == fixture.units


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.name)
def test_known_export_is_recognised(fixture: Fixture) -> None:
    assert _run(fixture).detected_format == fixture.detected_format


def test_overall_accuracy_report(capsys: pytest.CaptureFixture[str]) -> None:
    total = right = 0
    lines: list[str] = []
    for fixture in ALL_FIXTURES:
        result = _run(fixture)
        ok = sum(
            1
            for s in result.suggestions
            if s.target_field == fixture.expected[s.source_field]
            and (s.source_field not in fixture.units or s.unit == fixture.units[s.source_field])
        )
        total += len(result.suggestions)
        right += ok
        lines.append(f"  {fixture.name:<30} {ok:>3}/{len(result.suggestions):<3}")
    with capsys.disabled():
        print("\nfield-mapping accuracy (target and unit) per fixture:")
        print("\n".join(lines))
        print(f"  {'overall':<30} {right:>3}/{total:<3} = {right / total:.1%}")
    assert right / total >= 0.97
