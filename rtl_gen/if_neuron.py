"""IF datapath, built from :class:`~neurocore_hw.models.if_neuron.IFParams`.

Combinational: one adder, the overflow, the threshold compare and the reset.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring

from neurocore_hw.models.if_neuron import IFParams

from .arith import overflow
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "IFDatapath"]


class IFDatapath(wiring.Component):
    """One IF step as combinational logic.

    Parameters
    ----------
    params : IFParams
        Keyword-only.

    Attributes
    ----------
    v, i_in : In(signed(width))
        Membrane and input, ``Q(width, frac)``.
    v_next : Out(signed(width))
        Membrane after the step.
    spike : Out(1)
        ``v_next`` reached the threshold.
    """

    def __init__(self, *, params: IFParams):
        check_params("IFDatapath", params, IFParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Integrate, reduce, compare, reset."""
        m = Module()
        p = self.params
        v_new = Signal(signed(p.width))
        m.d.comb += [
            v_new.eq(overflow(self.v + self.i_in, p.width, p.overflow)),
            self.spike.eq(v_new >= p.v_threshold),
        ]
        after = (p.v_reset if p.reset == "value"
                 else overflow(v_new - p.v_threshold, p.width, p.overflow))
        m.d.comb += self.v_next.eq(Mux(self.spike, after, v_new))
        return m


HARDWARE = Hardware(params_cls=IFParams, datapath=IFDatapath)
