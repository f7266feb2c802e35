"""Izhikevich update datapath, built from the same
:class:`~neurocore_hw.models.izhikevich.IzhikevichParams` as the golden model.

Combinational: both 0.5 ms half-steps, the spike test and the reset in one step. The
coefficients (0.02, 2.5, a/2, b) are baked in as shift-and-add constant multipliers; the
``v * v`` square of each half-step is a runtime multiplier (two per step).
"""

from __future__ import annotations

import numpy as np
from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring

from neurocore_hw.fixed import check_int
from neurocore_hw.models.izhikevich import IzhikevichParams, initial_state, step

from .arith import const_mul, saturate, shift_right
from .hardware import (
    Hardware,
    Variant,
    check_params,
    datapath_signature,
    multicycle_clocks,
    unit_signature,
)
from .pipeline import Pipeline, Staged, check_levels

__all__ = [
    "HARDWARE",
    "IzhikevichDatapath",
    "IzhikevichPipelinedDatapath",
    "IzhikevichPipelinedUnit",
    "IzhikevichTwoCycleUnit",
    "half_step",
    "half_step_pipelined",
    "run_multicycle",
    "run_pipelined",
    "run_two_cycle",
]


def half_step(m: Module, params: IzhikevichParams, v, u, i_in, name: str):
    """One 0.5 ms half-step (combinational), exactly as the golden model's.

    Returns the saturated ``(v', u')`` as named ``width``-bit signals.
    """
    k = params.codes()
    f, cf, r, w = params.frac, params.coef_frac, params.rounding, params.width
    sq = Signal(signed(2 * w - f), name=f"{name}_sq")  # v*v >> frac: >= 0, exact
    m.d.comb += sq.eq(shift_right(v * v, f, r))
    dv = (shift_right(const_mul(sq, k["K2"]), cf, r) + shift_right(const_mul(v, k["K5"]), cf, r)
          + k["K140"] - shift_right(u, 1, r) + shift_right(i_in, 1, r))
    du = shift_right(const_mul(v, k["B"]), cf, r) - u
    v_new = Signal(signed(w), name=f"{name}_v")
    u_new = Signal(signed(w), name=f"{name}_u")
    m.d.comb += [
        v_new.eq(saturate(v + dv, w)),
        u_new.eq(saturate(u + shift_right(const_mul(du, k["A"]), cf, r), w)),
    ]
    return v_new, u_new


def _check(component: str, params) -> None:
    check_params(component, params, IzhikevichParams)
    if params.per_neuron is not None:
        raise ValueError("the Izhikevich datapath takes scalar a, b, c, d; got "
                         f"{params.per_neuron} per-neuron values")


class IzhikevichDatapath(wiring.Component):
    """One Izhikevich step (two half-steps) as combinational logic.

    Parameters
    ----------
    params : IzhikevichParams
        Keyword-only; scalar ``a``, ``b``, ``c``, ``d`` (one neuron type per unit).

    Attributes
    ----------
    v, u : In(signed(width))
        Present membrane potential and recovery variable, ``Q(width, frac)``.
    i_in : In(signed(width))
        Input current, ``Q(width, frac)``.
    v_next, u_next : Out(signed(width))
        State after the step.
    spike : Out(1)
        ``v`` reached the 30 mV peak on this step.
    """

    def __init__(self, *, params: IzhikevichParams):
        _check("IzhikevichDatapath", params)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Two half-steps, then the peak test and reset ``v = c``, ``u = u + d``."""
        m = Module()
        k = self.params.codes()
        v1, u1 = half_step(m, self.params, self.v, self.u, self.i_in, "half1")
        v2, u2 = half_step(m, self.params, v1, u1, self.i_in, "half2")
        m.d.comb += [
            self.spike.eq(v2 >= k["VPEAK"]),
            self.v_next.eq(Mux(self.spike, k["C"], v2)),
            self.u_next.eq(Mux(self.spike, saturate(u2 + k["D"], self.params.width), u2)),
        ]
        return m


class IzhikevichPipelinedDatapath(wiring.Component):
    """One Izhikevich step as a pipeline of free-running registers (population core).

    Same ports as :class:`IzhikevichDatapath`; the outputs belong to the inputs presented
    :attr:`latency` clocks earlier, one new neuron per clock: both half-steps of
    :func:`half_step_pipelined` one after the other (two squarers), then a register, then
    the peak test and reset, which the core registers.

    Parameters
    ----------
    params : IzhikevichParams
        Keyword-only; scalar parameters.
    levels : int
        Keyword-only; adder levels per clock stage (default 2).
    """

    def __init__(self, *, params: IzhikevichParams, levels: int = 2):
        _check("IzhikevichPipelinedDatapath", params)
        self.params, self.levels = params, check_levels(levels)
        w = params.width
        super().__init__(datapath_signature(params))
        probe = Pipeline(None, levels=self.levels, name="probe")
        ins = [probe.input(Signal(signed(w))) for _ in range(3)]
        #: Clocks from the inputs to the outputs that belong to them.
        self.latency = self._stages(probe, *ins)[0].stage

    def _stages(self, pipe: Pipeline, v: Staged, u: Staged, i_in: Staged
                ) -> tuple[Staged, Staged]:
        v1, u1 = half_step_pipelined(pipe, self.params, v, u, i_in)
        v2, u2 = half_step_pipelined(pipe, self.params, v1, u1, i_in)
        (v2, u2), stage = pipe.align([v2, u2])
        return pipe.delay(v2, stage + 1), pipe.delay(u2, stage + 1)

    def elaborate(self, platform) -> Module:
        """The two pipelined half-steps, then peak test and reset in the last stage."""
        m = Module()
        k, w = self.params.codes(), self.params.width
        pipe = Pipeline(m, levels=self.levels, name="izh")
        v2, u2 = self._stages(pipe, pipe.input(self.v), pipe.input(self.u),
                              pipe.input(self.i_in))
        m.d.comb += [
            self.spike.eq(v2.value >= k["VPEAK"]),
            self.v_next.eq(Mux(self.spike, k["C"], v2.value)),
            self.u_next.eq(Mux(self.spike, saturate(u2.value + k["D"], w), u2.value)),
        ]
        return m


class IzhikevichTwoCycleUnit(wiring.Component):
    """Izhikevich neuron taking two clocks per step: one half-step, one squarer per clock.

    Same ports as :class:`rtl_gen.unit.NeuronUnit` (``en``, ``i_in``, ``spike``, ``v``,
    ``u``) plus ``busy``. A step starts on a clock where ``busy`` is low and ``en`` is high
    (``i_in`` is latched then); the next clock finishes it and updates ``v``, ``u`` and
    ``spike``. ``en`` is ignored while ``busy``. Cycle by cycle it equals
    :func:`run_two_cycle`.

    Parameters
    ----------
    params : IzhikevichParams
        Keyword-only; scalar parameters.
    """

    def __init__(self, *, params: IzhikevichParams):
        _check("IzhikevichTwoCycleUnit", params)
        self.params = params
        super().__init__(unit_signature(params, busy=True))

    def elaborate(self, platform) -> Module:
        """Phase 0: first half-step into (v1, u1); phase 1: second half-step, spike, reset."""
        m = Module()
        p, k, w = self.params, self.params.codes(), self.params.width
        v1 = Signal(signed(w))
        u1 = Signal(signed(w))
        i_lat = Signal(signed(w))
        v_src = Mux(self.busy, v1, self.v)
        u_src = Mux(self.busy, u1, self.u)
        i_src = Mux(self.busy, i_lat, self.i_in)
        hv, hu = half_step(m, p, v_src, u_src, i_src, "half")
        fire = Signal()
        m.d.comb += fire.eq(hv >= k["VPEAK"])
        with m.If(~self.busy):
            m.d.sync += self.spike.eq(0)
            with m.If(self.en):
                m.d.sync += [v1.eq(hv), u1.eq(hu), i_lat.eq(self.i_in), self.busy.eq(1)]
        with m.Else():
            m.d.sync += [
                self.busy.eq(0),
                self.spike.eq(fire),
                self.v.eq(Mux(fire, k["C"], hv)),
                self.u.eq(Mux(fire, saturate(hu + k["D"], w), hu)),
            ]
        return m


def half_step_pipelined(pipe: Pipeline, params: IzhikevichParams, v: Staged, u: Staged,
                        i_in: Staged) -> tuple[Staged, Staged]:
    """One half-step as a pipeline: the golden half-step's integers, regrouped exactly.

    Each ``>> cf`` of the golden model is one adder tree whose terms are the CSD digits
    of the constant product, the half LSB, and any term added after the shift moved
    before it (``(x >> s) + y == (x + (y << s)) >> s`` for floor shifts). So
    ``du = ((v B + h - (u << cf)) >> cf`` and ``u' = sat((du A + h + (u << cf)) >> cf)``.
    """
    k = params.codes()
    f, cf, r, w = params.frac, params.coef_frac, params.rounding, params.width
    sq = pipe.scaled_sum([(pipe.mul(v, v), 1)], f, r)
    t2 = pipe.scaled_sum(pipe.const_mul_terms(sq, k["K2"]), cf, r)
    t5 = pipe.scaled_sum(pipe.const_mul_terms(v, k["K5"]), cf, r)
    u_half = pipe.scaled_sum([(u, 1)], 1, r)
    i_half = pipe.scaled_sum([(i_in, 1)], 1, r)
    v_sum = pipe.sum([(v, 1), (t2, 1), (t5, 1), (pipe.const(k["K140"]), 1), (u_half, -1),
                      (i_half, 1)])
    u_cf = pipe.shift_left(u, cf)
    du = pipe.scaled_sum(pipe.const_mul_terms(v, k["B"]) + [(u_cf, -1)], cf, r)
    u_sum = pipe.scaled_sum(pipe.const_mul_terms(du, k["A"]) + [(u_cf, 1)], cf, r)
    (v_new, u_new), _ = pipe.align([pipe.saturate(v_sum, w), pipe.saturate(u_sum, w)])
    return v_new, u_new


class IzhikevichPipelinedUnit(wiring.Component):
    """Izhikevich neuron on a pipelined half-step datapath, for high clock rates.

    One half-step circuit, cut by registers so that no clock stage holds more than
    ``levels`` adders in series (the squarer takes a stage of its own: a DSP block), is
    used twice per step. A step starts on a clock where ``busy`` is low and ``en`` is high
    (``i_in`` is latched then) and takes :meth:`cycles_per_step` clocks: the first
    half-step's ``S + 1`` stages, the second's, and one clock for the spike test and
    reset, which updates ``v``, ``u`` and ``spike``. ``en`` is ignored while ``busy``.
    Cycle by cycle it equals :func:`run_pipelined`.

    Parameters
    ----------
    params : IzhikevichParams
        Keyword-only; scalar parameters.
    levels : int
        Keyword-only; adder levels per clock stage (default 2).
    """

    def __init__(self, *, params: IzhikevichParams, levels: int = 2):
        _check("IzhikevichPipelinedUnit", params)
        self.params, self.levels = params, check_levels(levels)
        super().__init__(unit_signature(params, busy=True))

    @staticmethod
    def half_step_stages(params: IzhikevichParams, levels: int = 2) -> int:
        """Register stages ``S`` of one half-step (its result is read in clock ``S``)."""
        pipe = Pipeline(None, levels=levels, name="probe")
        w = params.width
        ins = [pipe.input(Signal(signed(w))) for _ in range(3)]
        v_new, _ = half_step_pipelined(pipe, params, *ins)
        return v_new.stage

    @classmethod
    def cycles_per_step(cls, params: IzhikevichParams, levels: int = 2) -> int:
        """Clocks from a step's start to its result: ``2 (S + 1) + 1``."""
        return 2 * (cls.half_step_stages(params, levels) + 1) + 1

    def elaborate(self, platform) -> Module:
        """Phase counter; half-step 1 in phases 0..S, half-step 2 in S+1..2S+1, then reset."""
        m = Module()
        p, k, w = self.params, self.params.codes(), self.params.width
        v_h = Signal(signed(w))
        u_h = Signal(signed(w))
        i_lat = Signal(signed(w))
        second = Signal()  # registered: half-step 2 in flight (keeps phase decode off the path)
        pipe = Pipeline(m, levels=self.levels, name="pipe")
        v_src, u_src, i_src = (pipe.input(Mux(second, a, b)) for a, b in
                               ((v_h, self.v), (u_h, self.u), (i_lat, self.i_in)))
        v_new, u_new = half_step_pipelined(pipe, p, v_src, u_src, i_src)
        s = v_new.stage
        last = 2 * s + 2
        phase = Signal(range(last + 1))
        fire = Signal()
        m.d.comb += [
            self.busy.eq(phase != 0),
            fire.eq(v_h >= k["VPEAK"]),
        ]
        with m.If(phase == 0):
            m.d.sync += self.spike.eq(0)
            with m.If(self.en):
                m.d.sync += [i_lat.eq(self.i_in), phase.eq(1)]
        with m.Elif(phase == last):
            m.d.sync += [
                phase.eq(0),
                second.eq(0),
                self.spike.eq(fire),
                self.v.eq(Mux(fire, k["C"], v_h)),
                self.u.eq(Mux(fire, saturate(u_h + k["D"], w), u_h)),
            ]
        with m.Else():
            m.d.sync += phase.eq(phase + 1)
            with m.If((phase == s) | (phase == last - 1)):
                m.d.sync += [v_h.eq(v_new.value), u_h.eq(u_new.value)]
            with m.If(phase == s):
                m.d.sync += second.eq(1)
        return m


def run_pipelined(params: IzhikevichParams, i_in, en, rst) -> dict:
    """Cycle-level model of :class:`IzhikevichPipelinedUnit` (default ``levels``).

    :func:`run_multicycle` with the unit's
    :meth:`~IzhikevichPipelinedUnit.cycles_per_step`, which depends on the parameters
    (the number of CSD digits sets the depth of each adder tree).
    """
    cycles = IzhikevichPipelinedUnit.cycles_per_step(params)
    return run_multicycle(params, i_in, en, rst, cycles=cycles)


def run_multicycle(params: IzhikevichParams, i_in, en, rst, *, cycles: int
                   ) -> dict[str, np.ndarray]:
    """Cycle-level model of a unit taking ``cycles`` clocks per step, one neuron.

    A step starts on a clock where the unit is idle and ``en`` is high (``i_in`` is
    latched then); ``cycles - 1`` clocks later the step completes and ``v``, ``u`` and
    ``spike`` (a one-clock pulse) are updated. ``en`` is ignored while a step is in
    flight; ``rst`` (synchronous) returns everything to reset at once. Every completed
    step equals :func:`step` exactly.

    Parameters
    ----------
    params : IzhikevichParams
        Scalar parameters.
    i_in, en, rst : array_like, shape (C,)
        Per-clock input current (codes) and controls.
    cycles : int
        Keyword-only; clocks per step, >= 2.

    Returns
    -------
    dict of str to numpy.ndarray of int64, shape (C,)
        ``spike``, ``v`` and ``u`` after each clock.
    """
    check_int("cycles", cycles, 2, 1 << 16)
    init = initial_state(params, 1)
    i_in = np.asarray(i_in, dtype=np.int64)
    out = {name: np.empty(i_in.size, dtype=np.int64) for name in ("spike", "v", "u")}
    clocks = multicycle_clocks(lambda s, i: step(params, s, i), init, i_in, en, rst, cycles)
    for c, (state, _, spike) in enumerate(clocks):
        out["spike"][c], out["v"][c], out["u"][c] = spike, state.v[0], state.u[0]
    return out


def run_two_cycle(params: IzhikevichParams, i_in, en, rst) -> dict[str, np.ndarray]:
    """Cycle-level model of the two-cycle unit: :func:`run_multicycle` with ``cycles=2``."""
    return run_multicycle(params, i_in, en, rst, cycles=2)


HARDWARE = Hardware(
    params_cls=IzhikevichParams,
    datapath=IzhikevichDatapath,
    pipelined_datapath=IzhikevichPipelinedDatapath,
    variants={
        "two_cycle": Variant(IzhikevichTwoCycleUnit, run_two_cycle, busy=True,
                             summary="one half-step and one squarer per clock (area)"),
        "pipelined": Variant(IzhikevichPipelinedUnit, run_pipelined, busy=True,
                             summary="pipelined half-step datapath (clock rate)"),
    },
)
