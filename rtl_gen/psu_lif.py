"""PSU LIF datapath, built from :class:`~neurocore_hw.models.psu_lif.PSULIFParams`.

Combinational: two constant multiplies (shift-and-add), two rounded shifts, a sum, the
overflow and the threshold compare on the new membrane; nothing resets ``v``.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import wiring

from neurocore_hw.models.psu_lif import PSULIFParams

from .arith import const_mul, overflow, shift_right
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "PSULIFDatapath"]


class PSULIFDatapath(wiring.Component):
    """One PSU LIF step as combinational logic.

    Parameters
    ----------
    params : PSULIFParams
        Keyword-only.

    Attributes
    ----------
    v, i_in : In(signed(width))
    v_next : Out(signed(width))
    spike : Out(1)
        ``v_next >= v_threshold``.
    """

    def __init__(self, *, params: PSULIFParams):
        check_params("PSULIFDatapath", params, PSULIFParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Leak, drive, sum, overflow, compare."""
        m = Module()
        p = self.params
        v_new = Signal(signed(p.width))
        leak = shift_right(const_mul(self.v, p.leak_k), p.frac, p.rounding)
        drive = shift_right(const_mul(self.i_in, p.gain_k), p.frac, p.rounding)
        m.d.comb += [v_new.eq(overflow(self.v - leak + drive, p.width, p.overflow)),
                     self.v_next.eq(v_new),
                     self.spike.eq(v_new >= p.v_threshold)]
        return m


HARDWARE = Hardware(params_cls=PSULIFParams, datapath=PSULIFDatapath)
