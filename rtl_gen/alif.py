"""Adaptive-LIF datapath, built from :class:`~neurocore_hw.models.alif.ALIFParams`.

Combinational: the adaptive threshold (exact, wider than ``v``), the membrane update, the
compare, reset by subtraction, and the adaptation update; constants as shift-and-add.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring

from neurocore_hw.models.alif import ALIFParams

from .arith import const_mul, saturate, shift_right
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "ALIFDatapath"]


class ALIFDatapath(wiring.Component):
    """One ALIF step as combinational logic.

    Parameters
    ----------
    params : ALIFParams
        Keyword-only.

    Attributes
    ----------
    v, a, i_in : In(signed(width))
    v_next, a_next : Out(signed(width))
    spike : Out(1)
    """

    def __init__(self, *, params: ALIFParams):
        check_params("ALIFDatapath", params, ALIFParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Threshold, membrane, spike, reset by subtraction, adaptation."""
        m = Module()
        p, r, w = self.params, self.params.rounding, self.params.width
        th_expr = p.v_threshold + shift_right(const_mul(self.a, p.beta_k), p.frac, r)
        threshold = Signal(th_expr.shape())
        v_new = Signal(signed(w))
        m.d.comb += [
            threshold.eq(th_expr),
            v_new.eq(saturate(self.v - shift_right(const_mul(self.v, p.leak_k), p.frac, r)
                              + shift_right(const_mul(self.i_in, p.gain_k), p.frac, r), w)),
            self.spike.eq(v_new >= threshold),
            self.v_next.eq(Mux(self.spike, saturate(v_new - threshold, w), v_new)),
            self.a_next.eq(saturate(self.a - shift_right(const_mul(self.a, p.adapt_k), p.frac, r)
                                    + Mux(self.spike, p.jump, 0), w)),
        ]
        return m


HARDWARE = Hardware(params_cls=ALIFParams, datapath=ALIFDatapath)
