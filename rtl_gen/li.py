"""Leaky-integrator datapath, built from :class:`~neurocore_hw.models.li.LIParams`.

Combinational: two constant multiplies (shift-and-add), two rounded shifts, a sum and the
overflow; ``spike`` is tied to 0.
"""

from __future__ import annotations

from amaranth.hdl import Module, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.models.li import LIParams

from .arith import const_mul, overflow, shift_right

__all__ = ["LIDatapath"]


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
        if not isinstance(params, LIParams):
            raise TypeError(f"params must be LIParams, got {type(params).__name__}")
        self.params = params
        w = params.width
        super().__init__({"v": In(signed(w)), "i_in": In(signed(w)),
                          "v_next": Out(signed(w)), "spike": Out(1)})

    def elaborate(self, platform) -> Module:
        """Leak, drive, sum, overflow."""
        m = Module()
        p = self.params
        leak = shift_right(const_mul(self.v, p.leak_k), p.frac, p.rounding)
        drive = shift_right(const_mul(self.i_in, p.gain_k), p.frac, p.rounding)
        m.d.comb += [self.v_next.eq(overflow(self.v - leak + drive, p.width, p.overflow)),
                     self.spike.eq(0)]
        return m
