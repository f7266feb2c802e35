"""The pipeline builder (rtl_gen.pipeline) in amaranth.sim against Python integers."""

import itertools

import numpy as np
import pytest
from amaranth.hdl import ClockDomain, Module, Signal, signed
from amaranth.sim import Simulator

from neurocore_hw.fixed import saturate, shift_right
from rtl_gen.pipeline import Pipeline


def golden(a, b, c, rounding):
    return saturate(shift_right(a * b - (c << 5) + 77 + (a << 3), 3, rounding), 10)


def build(levels, rounding):
    m = Module()
    m.domains.sync = ClockDomain("sync")
    a, b, c = Signal(signed(8)), Signal(signed(12)), Signal(signed(9))
    pipe = Pipeline(m, levels=levels, name="t")
    pa, pb, pc = (pipe.input(x) for x in (a, b, c))
    total = pipe.scaled_sum([(pipe.mul(pa, pb), 1), (pipe.shift_left(pc, 5), -1),
                             (pipe.const(77), 1), (pipe.shift_left(pa, 3), 1)], 3, rounding)
    out = pipe.saturate(total, 10)
    y = Signal(signed(10))
    m.d.comb += y.eq(out.value)
    return m, (a, b, c), y, out.stage, pipe


@pytest.mark.parametrize("levels", [1, 2, 3])
@pytest.mark.parametrize("rounding", ["floor", "nearest"])
def test_pipeline_equals_integers_at_its_stage(levels, rounding):
    m, ins, y, stage, pipe = build(levels, rounding)
    corners = [(-128, 127, 0, -1), (-2048, 2047, 0, 1), (-256, 255, 0, 3)]
    vectors = list(itertools.product(*corners))
    rng = np.random.default_rng(levels)
    vectors += [(int(rng.integers(-128, 128)), int(rng.integers(-2048, 2048)),
                 int(rng.integers(-256, 256))) for _ in range(300)]
    got = []

    async def bench(ctx):
        for k in range(len(vectors) + stage):
            for sig, value in zip(ins, vectors[min(k, len(vectors) - 1)]):
                ctx.set(sig, value)
            if k >= stage:
                got.append(ctx.get(y))
            await ctx.tick()

    sim = Simulator(m)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    want = [int(golden(np.int64(a), np.int64(b), np.int64(c), rounding)) for a, b, c in vectors]
    assert got == want
    assert stage >= 1 and pipe.registers > 0
    assert any(w in (-512, 511) for w in want)  # the saturation corners were exercised


def test_fewer_levels_mean_more_stages():
    stages = [build(levels, "nearest")[3] for levels in (1, 2, 3, 8)]
    assert stages == sorted(stages, reverse=True) and stages[0] > stages[-1]


def test_bad_arguments():
    with pytest.raises(ValueError, match="levels"):
        Pipeline(None, levels=0, name="x")
    pipe = Pipeline(None, levels=2, name="x")
    with pytest.raises(ValueError, match="two constants"):
        pipe.add(pipe.const(1), pipe.const(2))
    with pytest.raises(ValueError, match="back to stage"):
        pipe.delay(pipe.register(pipe.input(Signal(signed(4)))), 0)
    with pytest.raises(ValueError, match="outside"):
        pipe.input(Signal(signed(4)), lo=-9, hi=0)


def test_register_widths_come_from_the_bounds(monkeypatch):
    """Teeth: registers one bit narrower than the bounds require give wrong sums."""
    from rtl_gen import pipeline

    real = pipeline._width
    monkeypatch.setattr(pipeline, "_width", lambda lo, hi: real(lo, hi) - 1)
    with pytest.raises(AssertionError):
        test_pipeline_equals_integers_at_its_stage(2, "nearest")
