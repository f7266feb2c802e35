"""Shift-leak LIF datapath (no multiplier), from
:class:`~neurocore_hw.models.shift_lif.ShiftLIFParams`."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring

from neurocore_hw.models.shift_lif import ShiftLIFParams

from .arith import saturate
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "ShiftLIFDatapath", "decay_step"]


def decay_step(x, shift: int):
    """``x >> shift``, or 1 when that is 0 and ``x > 0`` (mirrors the golden model)."""
    d = x >> shift
    return Mux((d == 0) & (x > 0), 1, d)


class ShiftLIFDatapath(wiring.Component):
    """One shift-leak LIF step as combinational logic.

    Parameters
    ----------
    params : ShiftLIFParams
        Keyword-only.

    Attributes
    ----------
    syn, v, i_in : In(signed(width))
    syn_next, v_next : Out(signed(width))
    spike : Out(1)
    """

    def __init__(self, *, params: ShiftLIFParams):
        check_params("ShiftLIFDatapath", params, ShiftLIFParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Decay and drive ``syn``, then ``v``; threshold; reset by subtraction."""
        m = Module()
        p, w = self.params, self.params.width
        syn = Signal(signed(w))
        v = Signal(signed(w))
        m.d.comb += [
            syn.eq(saturate(self.syn - decay_step(self.syn, p.dash_syn) + self.i_in, w)),
            v.eq(saturate(self.v - decay_step(self.v, p.dash_mem) + syn, w)),
            self.spike.eq(v >= p.v_threshold),
            self.syn_next.eq(syn),
            self.v_next.eq(Mux(self.spike, v - p.v_threshold, v)),
        ]
        return m


HARDWARE = Hardware(params_cls=ShiftLIFParams, datapath=ShiftLIFDatapath)
