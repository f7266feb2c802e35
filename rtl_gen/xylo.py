"""Xylo IAF neuron datapath (XyloSim's arithmetic), from
:class:`~neurocore_hw.models.xylo.XyloParams`.

No multiplier and no divider: the decays are shifts, and the spike count
``min(max_spikes, v // v_threshold)`` is a restoring division by the constant threshold,
one compare-and-subtract of ``v_threshold << k`` per count bit (5 for 31 spikes).
"""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring

from neurocore_hw.models.xylo import XyloParams

from .arith import saturate
from .hardware import Hardware, check_params, datapath_signature
from .shift_lif import decay_step

__all__ = ["HARDWARE", "XyloDatapath"]

#: XyloSim's decay is shift_lif's: ``x >> shift``, or 1 when that is 0 and ``x > 0``.
decay = decay_step


class XyloDatapath(wiring.Component):
    """One Xylo IAF step as combinational logic.

    Parameters
    ----------
    params : XyloParams
        Keyword-only.

    Attributes
    ----------
    syn, v : In(signed(width))
    count : In(unsigned(count_width))
        Unused: a step's spike count does not depend on the last one.
    i_in : In(signed(width + 4))
    syn_next, v_next : Out(signed(width))
    count_next : Out(unsigned(count_width))
    spike : Out(1)
    """

    def __init__(self, *, params: XyloParams):
        check_params("XyloDatapath", params, XyloParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Input, decay of ``syn``; the membrane increment saturated, then the bias, then
        ``v``; the spike count by restoring division; reset by subtraction."""
        m = Module()
        p, w, k = self.params, self.params.width, self.params.count_width
        syn_in = Signal(signed(w))
        syn = Signal(signed(w))
        neg_decay = Signal(signed(w))  # -decay(v) in w bits: wraps at -2**(w-1)
        dv = Signal(signed(w))
        v = Signal(signed(w))
        m.d.comb += [
            syn_in.eq(saturate(self.syn + self.i_in, w)),
            syn.eq(syn_in - decay(syn_in, p.dash_syn)),
            neg_decay.eq(-decay(self.v, p.dash_mem)),
            dv.eq(saturate(saturate(neg_decay + syn, w) + p.bias, w)),
            v.eq(saturate(self.v + dv, w)),
        ]
        # quotient bits from the top: take v_threshold << b where the rest holds it
        rest = v
        bits = []
        for b in reversed(range(k)):
            part = p.v_threshold << b
            take = Signal(name=f"take{b}")
            left = Signal(signed(w + 1), name=f"rest{b}")
            m.d.comb += [take.eq(rest >= part), left.eq(Mux(take, rest - part, rest))]
            bits.append(take)
            rest = left
        quotient = Signal(unsigned(k))
        m.d.comb += quotient.eq(Cat(*reversed(bits)))  # bits holds the top bit first
        if p.max_spikes < (1 << k) - 1:  # a count above max_spikes is held at it
            capped = quotient > p.max_spikes
            m.d.comb += [self.count_next.eq(Mux(capped, p.max_spikes, quotient)),
                         self.v_next.eq(Mux(capped, v - p.max_spikes * p.v_threshold, rest))]
        else:  # max_spikes = 2**k - 1: from v >= 2**k thresholds every bit is taken,
            # the quotient is max_spikes and the rest v - max_spikes * v_threshold
            m.d.comb += [self.count_next.eq(quotient), self.v_next.eq(rest)]
        m.d.comb += [
            self.syn_next.eq(syn),
            self.spike.eq(v >= p.v_threshold),
        ]
        return m


HARDWARE = Hardware(params_cls=XyloParams, datapath=XyloDatapath)
