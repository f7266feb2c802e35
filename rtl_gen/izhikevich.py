"""Izhikevich update datapath, built from the same
:class:`~neurocore_hw.models.izhikevich.IzhikevichParams` as the golden model.

Combinational: both 0.5 ms half-steps, the spike test and the reset in one step. The
coefficients (0.02, 2.5, a/2, b) are baked in as shift-and-add constant multipliers; the
``v * v`` square of each half-step is a runtime multiplier (two per step).
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.models.izhikevich import IzhikevichParams

from .arith import const_mul, saturate, shift_right

__all__ = ["IzhikevichDatapath", "IzhikevichTwoCycleUnit", "half_step"]


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


def _check(params) -> None:
    if not isinstance(params, IzhikevichParams):
        raise TypeError(f"params must be IzhikevichParams, got {type(params).__name__}")
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
        _check(params)
        self.params = params
        w = params.width
        super().__init__({
            "v": In(signed(w)), "u": In(signed(w)), "i_in": In(signed(w)),
            "v_next": Out(signed(w)), "u_next": Out(signed(w)), "spike": Out(1),
        })

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


class IzhikevichTwoCycleUnit(wiring.Component):
    """Izhikevich neuron taking two clocks per step: one half-step, one squarer per clock.

    Same ports as :class:`rtl_gen.unit.NeuronUnit` (``en``, ``i_in``, ``spike``, ``v``,
    ``u``) plus ``busy``. A step starts on a clock where ``busy`` is low and ``en`` is high
    (``i_in`` is latched then); the next clock finishes it and updates ``v``, ``u`` and
    ``spike``. ``en`` is ignored while ``busy``. Cycle by cycle it equals
    :func:`neurocore_hw.models.izhikevich.run_two_cycle`.

    Parameters
    ----------
    params : IzhikevichParams
        Keyword-only; scalar parameters.
    """

    def __init__(self, *, params: IzhikevichParams):
        _check(params)
        self.params = params
        w = params.width
        v0, u0 = (p.reset for p in params.state_ports())
        super().__init__({
            "en": In(1), "i_in": In(signed(w)), "spike": Out(1),
            "v": Out(signed(w), init=v0), "u": Out(signed(w), init=u0), "busy": Out(1),
        })

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
