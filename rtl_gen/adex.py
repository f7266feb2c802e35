"""AdEx datapath, built from :class:`~neurocore_hw.models.adex.AdExParams`.

The exponential LIF's datapath (:func:`rtl_gen.exp_lif.membrane`) with the
adaptation current: ``-a`` in the membrane's drive, and the adaptation's Euler step (two
constant multiplies, ``coupling`` and ``dt / tau_ada``) plus the spike's jump, saturated.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring

from neurocore_hw.models.adex import AdExParams

from .arith import const_mul, saturate, shift_right
from .exp_lif import membrane
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "AdExDatapath"]


class AdExDatapath(wiring.Component):
    """One AdEx step as combinational logic.

    Parameters
    ----------
    params : AdExParams
        Keyword-only.

    Attributes
    ----------
    v, i, a, i_in : In(signed(width))
    v_next, i_next, a_next : Out(signed(width))
    spike : Out(1)
    """

    def __init__(self, *, params: AdExParams):
        check_params("AdExDatapath", params, AdExParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Input jump, exponential, membrane, spike, reset, current decay, adaptation."""
        m = Module()
        p, r, w, f = self.params, self.params.rounding, self.params.width, self.params.frac
        membrane(m, p, self, self.a)
        target = Signal(signed(2 * w + 1), name="a_target")
        m.d.comb += [
            target.eq(shift_right(const_mul(self.v - p.v_leak, p.coupling_k), f, r)),
            self.a_next.eq(saturate(self.a + shift_right(const_mul(target - self.a, p.ada_k),
                                                         f, r)
                                    + Mux(self.spike, p.jump, 0), w)),
        ]
        return m


HARDWARE = Hardware(params_cls=AdExParams, datapath=AdExDatapath)
