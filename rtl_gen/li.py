"""Leaky-integrator datapath, built from :class:`~neurocore_hw.models.li.LIParams`.

Combinational: two constant multiplies (shift-and-add), two rounded shifts, a sum and the
overflow; ``spike`` is tied to 0.
"""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring

from neurocore_hw.models.li import LIParams

from .arith import const_mul, overflow, shift_right
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "LIDatapath"]


class LIDatapath(wiring.Component):
    """One LI step as combinational logic.

    Parameters
    ----------
    params : LIParams
        Keyword-only.

    Attributes
    ----------
    v, i_in : In(signed(width))
    v_next : Out(signed(width))
    spike : Out(1)
        Always 0.
    """

    def __init__(self, *, params: LIParams):
        check_params("LIDatapath", params, LIParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Leak, drive, sum, overflow."""
        m = Module()
        p = self.params
        leak = shift_right(const_mul(self.v, p.leak_k), p.frac, p.rounding)
        drive = shift_right(const_mul(self.i_in, p.gain_k), p.frac, p.rounding)
        m.d.comb += [self.v_next.eq(overflow(self.v - leak + drive, p.width, p.overflow)),
                     self.spike.eq(0)]
        return m


HARDWARE = Hardware(params_cls=LIParams, datapath=LIDatapath)
