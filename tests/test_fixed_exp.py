"""exp() in fixed point: the golden integers (``neurocore_hw.fixed_exp``) against the
hardware (``rtl_gen.fixed_exp``) in amaranth.sim on every input code, their error against
float64, and a broken design that fails."""

import math

import numpy as np
import pytest
from amaranth.sim import Simulator

from neurocore_hw.fixed_exp import METHODS, ExpParams, exp_error, fixed_exp
from rtl_gen import fixed_exp as rtl_exp

CASES = [
    {},                                                          # Q12.8 -> Q16.8
    {"in_width": 10, "in_frac": 6, "out_width": 24, "out_frac": 20, "mant_frac": 12},
    {"in_width": 12, "in_frac": 10, "out_width": 8, "out_frac": 0, "table_bits": 10},
    {"in_width": 11, "in_frac": 3, "out_width": 32, "out_frac": 4, "mant_frac": 20,
     "table_bits": 3},
]


def _simulate(p: ExpParams) -> tuple[np.ndarray, np.ndarray]:
    dut = rtl_exp.FixedExp(params=p)
    codes = np.arange(-(1 << (p.in_width - 1)), 1 << (p.in_width - 1))
    out = []

    async def bench(ctx):
        for c in codes.tolist():
            ctx.set(dut.x, c)
            out.append(ctx.get(dut.y))
    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
    return codes, np.array(out, dtype=np.int64)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", range(len(CASES)))
def test_hardware_equals_golden_on_every_code(method, case):
    p = ExpParams(method=method, **CASES[case])
    codes, got = _simulate(p)
    want = fixed_exp(p, codes)
    assert np.array_equal(got, want), np.flatnonzero(got != want)[:5]
    top = (1 << p.out_width) - 1
    assert (want == top).any() or (want == 0).any()  # a rail is reached
    if case == 0:
        assert want.max() == top and want.min() == 0  # both


def test_a_broken_design_fails(monkeypatch):
    """log2(e) one LSB off in the hardware, or one mantissa off, differs from the golden
    model on some code."""
    p = ExpParams(method="pwl")
    want = fixed_exp(p, np.arange(-2048, 2048))
    monkeypatch.setattr(rtl_exp, "_log2e", lambda: round(math.log2(math.e) * 2**16) + 1)
    assert not np.array_equal(_simulate(p)[1], want)
    monkeypatch.undo()
    real = rtl_exp._mantissas
    monkeypatch.setattr(rtl_exp, "_mantissas", lambda q: [v + (i == 5) for i, v in
                                                          enumerate(real(q))])
    assert not np.array_equal(_simulate(p)[1], want)


def test_error_against_float64():
    """Finer tables cost less error; interpolation beats the plain table of the same size;
    Mitchell's 1 + r stays within its 6.1 % bound (measured, not assumed)."""
    err = {(m, tb): exp_error(ExpParams(method=m, table_bits=tb))["max_rel"]
           for m in METHODS for tb in (2, 4, 6)}
    assert err["table", 2] > err["table", 4] > err["table", 6]
    assert err["pwl", 4] < err["table", 4] / 4
    assert 0.05 < err["shift", 4] < 0.062
    assert exp_error(ExpParams(method="pwl", table_bits=4))["max_rel"] < 0.01


@pytest.mark.parametrize("kwargs, message", [
    ({"in_width": 3}, "in_width"), ({"method": "cordic"}, "method"),
    ({"in_frac": 4, "table_bits": 5}, "table_bits"), ({"mant_frac": 30}, "mant_frac"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ExpParams(**kwargs)
