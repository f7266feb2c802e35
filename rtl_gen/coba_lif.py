"""Conductance-based LIF datapath, built from
:class:`~neurocore_hw.models.coba_lif.CobaLIFParams`.

Combinational: each conductance's jump (saturating at the unsigned top) and decay
(a constant multiply), the two runtime products ``g (E - v)`` (``g_width x (width + 1)``
bits: a DSP block on ECP5 and on iCE40 parts with one), the leak as a constant multiply,
the Euler step (a constant multiply by ``dt / c_m``), the compare and the reset.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring

from neurocore_hw.models.coba_lif import CobaLIFParams

from .arith import const_mul, saturate, shift_right
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "CobaLIFDatapath"]


class CobaLIFDatapath(wiring.Component):
    """One CobaLIF step as combinational logic.

    Parameters
    ----------
    params : CobaLIFParams
        Keyword-only.

    Attributes
    ----------
    v : In(signed(width))
    g_e, g_i : In(unsigned(g_width))
    i_in : In(signed(g_width))
    v_next : Out(signed(width))
    g_e_next, g_i_next : Out(unsigned(g_width))
    spike : Out(1)
    """

    def __init__(self, *, params: CobaLIFParams):
        check_params("CobaLIFDatapath", params, CobaLIFParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def _conductance(self, m: Module, name: str, g, increment, k: int) -> Signal:
        """``sat_u(g + increment)`` minus its decay, as a signed operand one bit wider."""
        p = self.params
        top = (1 << p.g_width) - 1
        total = Signal(unsigned(p.g_width + 1), name=f"{name}_sum")
        jumped = Signal(signed(p.g_width + 1), name=f"{name}_jump")
        after = Signal(signed(p.g_width + 1), name=f"{name}_new")
        m.d.comb += [total.eq(g + increment),
                     jumped.eq(Mux(total > top, top, total)),
                     after.eq(jumped - shift_right(const_mul(jumped, k), p.g_frac, p.rounding))]
        return after

    def elaborate(self, platform) -> Module:
        """Conductances, membrane current, Euler step, spike, reset."""
        m = Module()
        p = self.params
        w, gw = p.width, p.g_width
        excite = Signal(unsigned(gw), name="excite")
        inhibit = Signal(unsigned(gw), name="inhibit")
        m.d.comb += [excite.eq(Mux(self.i_in > 0, self.i_in, 0)),
                     inhibit.eq(Mux(self.i_in < 0, -self.i_in, 0))]
        g_e = self._conductance(m, "g_e", self.g_e, excite, p.syn_e_k)
        g_i = self._conductance(m, "g_i", self.g_i, inhibit, p.syn_i_k)
        to_e = Signal(signed(w + 1), name="to_e")
        to_i = Signal(signed(w + 1), name="to_i")
        current = Signal(signed(gw + w + 4), name="current")
        v_new = Signal(signed(w), name="v_new")
        m.d.comb += [
            to_e.eq(p.e_exc - self.v),
            to_i.eq(p.e_inh - self.v),
            current.eq(const_mul(p.v_rest - self.v, p.gl_k) + g_e * to_e + g_i * to_i),
            v_new.eq(saturate(self.v + shift_right(const_mul(current, p.cm_k), 2 * p.g_frac,
                                                   p.rounding), w)),
            self.spike.eq(v_new > p.v_th),
            self.v_next.eq(Mux(self.spike, p.v_reset, v_new)),
            self.g_e_next.eq(g_e),
            self.g_i_next.eq(g_i),
        ]
        return m


HARDWARE = Hardware(params_cls=CobaLIFParams, datapath=CobaLIFDatapath)
