"""The health formula: normalising, re-weighting over missing data, coverage and bands."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from health.formula import (
    AMBER,
    GREEN,
    INSUFFICIENT,
    RED,
    MeasureSpec,
    Thresholds,
    band_for,
    compute_score,
    normalise,
)

DEFAULT = Thresholds()
CONTACT = MeasureSpec("contact_frequency", "Contact frequency", 15, 0, 10)
RISKS = MeasureSpec("open_risks", "Open risks", 5, 3, 0)
NPS = MeasureSpec("client_nps", "Client NPS", 10, 6, 9)


def test_normalise_is_linear_between_floor_and_target():
    assert normalise(5, 0, 10) == pytest.approx(50)


def test_normalise_clamps_above_target_and_below_floor():
    assert normalise(25, 0, 10) == 100
    assert normalise(-3, 0, 10) == 0


def test_lower_is_better_when_floor_is_above_target():
    assert normalise(0, 3, 0) == 100
    assert normalise(3, 3, 0) == 0
    assert normalise(1, 3, 0) == pytest.approx(200 / 3)
    assert normalise(7, 3, 0) == 0


def test_floor_equal_to_target_is_refused():
    with pytest.raises(ValueError, match="differ"):
        normalise(1, 4, 4)


def test_missing_measures_are_left_out_and_the_rest_reweighted():
    result = compute_score([CONTACT, NPS], {"contact_frequency": 5, "client_nps": None}, DEFAULT)
    assert result.score == 50
    assert result.coverage == pytest.approx(0.6)
    missing = [c.key for c in result.components if c.missing]
    assert missing == ["client_nps"]


def test_contributions_add_up_to_the_score():
    result = compute_score([CONTACT, NPS, RISKS], {"contact_frequency": 7, "client_nps": 8, "open_risks": 1}, DEFAULT)
    assert sum(c.contribution for c in result.components) == pytest.approx(result.score, abs=0.03)


def test_coverage_below_half_gives_insufficient_data():
    result = compute_score([CONTACT, NPS, RISKS], {"client_nps": 9}, DEFAULT)
    assert result.coverage == pytest.approx(10 / 30, abs=0.001)
    assert result.band == INSUFFICIENT
    assert result.shown_score is None


def test_no_data_at_all_has_no_score():
    result = compute_score([CONTACT, NPS], {}, DEFAULT)
    assert result.score is None and result.coverage == 0 and result.band == INSUFFICIENT


@pytest.mark.parametrize(
    ("score", "band"),
    [(70, GREEN), (69.99, AMBER), (40, AMBER), (39.99, RED), (0, RED), (100, GREEN)],
)
def test_band_edges(score, band):
    assert band_for(score, 1.0, DEFAULT) == band


def test_band_thresholds_are_configurable():
    assert band_for(65, 1.0, Thresholds(green=60, amber=30)) == GREEN


def test_coverage_exactly_at_the_minimum_is_enough():
    assert band_for(80, 0.5, DEFAULT) == GREEN
    assert band_for(80, 0.499, DEFAULT) == INSUFFICIENT


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
weights = st.floats(min_value=0, max_value=100, allow_nan=False)


@st.composite
def measures(draw):
    count = draw(st.integers(min_value=1, max_value=8))
    specs = []
    for index in range(count):
        floor, target = draw(finite), draw(finite)
        assume(abs(floor - target) > 1e-6)
        specs.append(MeasureSpec(f"m{index}", f"Measure {index}", draw(weights), floor, target))
    return specs


@given(specs=measures(), data=st.data())
def test_score_is_always_between_0_and_100(specs, data):
    raws = {spec.key: data.draw(st.one_of(st.none(), finite)) for spec in specs}
    result = compute_score(specs, raws, DEFAULT)
    assert result.score is None or 0 <= result.score <= 100
    assert 0 <= result.coverage <= 1


@given(specs=measures(), data=st.data())
def test_moving_a_measure_towards_its_target_never_lowers_the_score(specs, data):
    raws = {spec.key: data.draw(finite) for spec in specs}
    before = compute_score(specs, raws, DEFAULT)
    chosen = data.draw(st.sampled_from(specs))
    step = data.draw(st.floats(min_value=0, max_value=1))
    raws[chosen.key] = raws[chosen.key] + step * (chosen.target - raws[chosen.key])
    after = compute_score(specs, raws, DEFAULT)
    if before.score is not None:
        assert after.score >= before.score - 0.01
