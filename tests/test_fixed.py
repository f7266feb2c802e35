"""Fixed-point primitives against plain Python-int definitions, extremes included."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neurocore_hw import fixed

widths = st.integers(1, 62)
big = st.integers(-(1 << 62), (1 << 62) - 1)


def py_wrap(x, w, signed=True):
    x %= 1 << w
    return x - (1 << w) if signed and x >= 1 << (w - 1) else x


def py_sat(x, w, signed=True):
    lo, hi = (-(1 << (w - 1)), (1 << (w - 1)) - 1) if signed else (0, (1 << w) - 1)
    return min(max(x, lo), hi)


@given(st.lists(big, min_size=1, max_size=20), widths, st.booleans())
def test_wrap_and_saturate_match_python(xs, w, signed):
    arr = np.array(xs, dtype=np.int64)
    assert fixed.wrap(arr, w, signed).tolist() == [py_wrap(x, w, signed) for x in xs]
    assert fixed.saturate(arr, w, signed).tolist() == [py_sat(x, w, signed) for x in xs]
    assert [fixed.wrap(x, w, signed) for x in xs] == [py_wrap(x, w, signed) for x in xs]
    assert [fixed.overflow(x, w, "saturate", signed) for x in xs] == \
        [py_sat(x, w, signed) for x in xs]


@given(st.lists(st.integers(-(1 << 61), (1 << 61) - 1), min_size=1, max_size=20),
       st.integers(0, 40), st.sampled_from(["floor", "nearest"]))
def test_shift_right_matches_rational_rounding(xs, s, rounding):
    from fractions import Fraction
    from math import floor
    want = [floor(Fraction(x, 1 << s) + (Fraction(1, 2) if rounding == "nearest" and s else 0))
            for x in xs]
    assert fixed.shift_right(np.array(xs, dtype=np.int64), s, rounding).tolist() == want
    assert [fixed.shift_right(x, s, rounding) for x in xs] == want


@pytest.mark.parametrize("w", [1, 2, 8, 16, 32, 62])
def test_extremes(w):
    lo, hi = fixed.int_range(w)
    assert fixed.wrap(hi + 1, w) == lo and fixed.wrap(lo - 1, w) == hi
    assert fixed.saturate(hi + 5, w) == hi and fixed.saturate(lo - 5, w) == lo
    assert fixed.wrap(np.array([lo, hi]), w).tolist() == [lo, hi]
    assert fixed.int_range(w, signed=False) == (0, (1 << w) - 1)


def test_nearest_ties_go_up():
    assert fixed.shift_right(np.array([-3, -1, 1, 3]), 1, "nearest").tolist() == [-1, 0, 1, 2]
    assert fixed.shift_right(np.array([-3, -1, 1, 3]), 1, "floor").tolist() == [-2, -1, 0, 1]


def test_quantize_reports_error():
    q = fixed.quantize("leak", 0.1, 16, 8)
    assert q.value == 26 and q.real == 0.1
    assert q.error == pytest.approx(26 / 256 - 0.1)
    assert fixed.quantize("x", -1.0, 16, 8).value == -256
    assert fixed.quantize("x", 0.1, 16, 8, rounding="floor").value == 25


@pytest.mark.parametrize("bad, err", [(128.0, ValueError), (float("nan"), ValueError),
                                      (float("inf"), ValueError)])
def test_quantize_rejects(bad, err):
    with pytest.raises(err, match="x"):
        fixed.quantize("x", bad, 16, 8)


def test_checks_name_the_parameter():
    with pytest.raises(ValueError, match=r"width=40 is out of range \[2, 32\]"):
        fixed.check_int("width", 40, 2, 32)
    with pytest.raises(TypeError, match="width must be an integer"):
        fixed.check_int("width", 3.0, 2, 32)
    with pytest.raises(TypeError):
        fixed.check_int("width", True, 0, 2)
    with pytest.raises(ValueError, match="'clip' is not one of"):
        fixed.check_choice("overflow", "clip", fixed.OVERFLOW_MODES)
    with pytest.raises(ValueError, match=r"i_in\[1\] = 200 is outside"):
        fixed.check_range("i_in", np.array([1, 200]), 8)
    with pytest.raises(TypeError, match="must hold integers"):
        fixed.check_range("i_in", np.array([1.5]), 8)
    with pytest.raises(ValueError):
        fixed.wrap(np.array([1]), 0)
