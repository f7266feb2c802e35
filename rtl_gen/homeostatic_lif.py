"""Homeostatic LIF datapath, from
:class:`~neurocore_hw.models.homeostatic_lif.HomeostaticLIFParams`."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring

from neurocore_hw.models.homeostatic_lif import HomeostaticLIFParams

from .arith import const_mul, saturate
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "HomeostaticLIFDatapath"]


class HomeostaticLIFDatapath(wiring.Component):
    """One homeostatic LIF step as combinational logic.

    Parameters
    ----------
    params : HomeostaticLIFParams
        Keyword-only.

    Attributes
    ----------
    v, th, i_in : In(signed(width))
    rate : In(unsigned(rate_frac + 1))
    v_next, th_next, rate_next : Out
    spike : Out(1)
    """

    def __init__(self, *, params: HomeostaticLIFParams):
        check_params("HomeostaticLIFDatapath", params, HomeostaticLIFParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Membrane, spike, reset, rate average, threshold step and clip."""
        m = Module()
        p, w = self.params, self.params.width
        v_new = Signal(signed(w))
        rate = Signal(signed(p.rate_frac + 2))
        th_sum = Signal(signed(max(w, p.rate_frac + 2) + 1))  # th + rate step, exact
        spike_q = Mux(self.spike, 1 << p.rate_frac, 0)
        m.d.comb += [
            v_new.eq(saturate(self.v - (const_mul(self.v, p.leak_k) >> p.frac)
                              + (const_mul(self.i_in, p.gain_k) >> p.frac), w)),
            self.spike.eq(v_new >= self.th),
            self.v_next.eq(Mux(self.spike, p.v_reset, v_new)),
            rate.eq(self.rate + ((spike_q - self.rate) >> p.rate_shift)),
            self.rate_next.eq(rate),
            th_sum.eq(self.th + ((rate - p.target) >> p.eta_shift)),
            self.th_next.eq(Mux(th_sum > p.th_max, p.th_max,
                                Mux(th_sum < p.th_min, p.th_min, th_sum))),
        ]
        return m


HARDWARE = Hardware(params_cls=HomeostaticLIFParams, datapath=HomeostaticLIFDatapath)
