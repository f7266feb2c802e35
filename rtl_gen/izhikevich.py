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

__all__ = ["IzhikevichDatapath"]


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
        if not isinstance(params, IzhikevichParams):
            raise TypeError(f"params must be IzhikevichParams, got {type(params).__name__}")
        if params.per_neuron is not None:
            raise ValueError("the Izhikevich datapath takes scalar a, b, c, d; got "
                             f"{params.per_neuron} per-neuron values")
        self.params = params
        w = params.width
        super().__init__({
            "v": In(signed(w)), "u": In(signed(w)), "i_in": In(signed(w)),
            "v_next": Out(signed(w)), "u_next": Out(signed(w)), "spike": Out(1),
        })

    def _half_step(self, m: Module, v, u, name: str):
        p, k = self.params, self.params.codes()
        f, cf, r, w = p.frac, p.coef_frac, p.rounding, p.width
        sq = Signal(signed(2 * w - f), name=f"{name}_sq")  # v*v >> frac: >= 0, exact
        m.d.comb += sq.eq(shift_right(v * v, f, r))
        dv = (shift_right(const_mul(sq, k["K2"]), cf, r) + shift_right(const_mul(v, k["K5"]), cf, r)
              + k["K140"] - shift_right(u, 1, r) + shift_right(self.i_in, 1, r))
        du = shift_right(const_mul(v, k["B"]), cf, r) - u
        v_new = Signal(signed(w), name=f"{name}_v")
        u_new = Signal(signed(w), name=f"{name}_u")
        m.d.comb += [
            v_new.eq(saturate(v + dv, w)),
            u_new.eq(saturate(u + shift_right(const_mul(du, k["A"]), cf, r), w)),
        ]
        return v_new, u_new

    def elaborate(self, platform) -> Module:
        """Two half-steps, then the peak test and reset ``v = c``, ``u = u + d``."""
        m = Module()
        k = self.params.codes()
        v1, u1 = self._half_step(m, self.v, self.u, "half1")
        v2, u2 = self._half_step(m, v1, u1, "half2")
        m.d.comb += [
            self.spike.eq(v2 >= k["VPEAK"]),
            self.v_next.eq(Mux(self.spike, k["C"], v2)),
            self.u_next.eq(Mux(self.spike, saturate(u2 + k["D"], self.params.width), u2)),
        ]
        return m
