"""Shared stochastic-computing hardware: LFSR step, bit reversal, the two decorrelated
streams of the two-input blocks, and the LIF body of the bitstream neurons.

Everything mirrors :mod:`neurocore_hw.sc` and :mod:`neurocore_hw.models.sc_common`. Each SC
datapath (``rtl_gen/sc_*.py``) is combinational like the neuron datapaths; the generic
:class:`~rtl_gen.unit.NeuronUnit` adds the registers, whose synchronous reset loads the
constant seeds.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Value
from amaranth.lib import wiring

from neurocore_hw import sc
from neurocore_hw.models.lif import LIFParams

from .lif import LIFDatapath

__all__ = ["StreamLIF", "bit_reverse", "lfsr_next", "two_streams"]


def lfsr_next(state: Value, width: int, mirror: bool = False) -> Value:
    """The LFSR's next state: shift left, the XOR of the tap bits into bit 0."""
    fb = Const(0, 1)
    for t in sc.taps_for(width, mirror):
        fb = fb ^ state[t - 1]
    return Cat(fb, state[:width - 1])


def bit_reverse(value: Value, width: int) -> Value:
    """The low ``width`` bits of ``value`` in reverse order (wiring only)."""
    return Cat(*(value[width - 1 - b] for b in range(width)))


def two_streams(m: Module, dp, width: int, source: str, x: Value, y: Value):
    """Two decorrelated SNG bits of a datapath with ``ra``/``rb`` or ``count`` registers
    (mirrors :func:`neurocore_hw.models.sc_common.two_streams`); drives the next values."""
    if source == "vdc":
        m.d.comb += dp.count_next.eq(dp.count + 1)
        return bit_reverse(dp.count, width) < x, dp.count < y
    m.d.comb += [dp.ra_next.eq(lfsr_next(dp.ra, width)),
                 dp.rb_next.eq(lfsr_next(dp.rb, width, mirror=True))]
    return dp.ra < x, dp.rb < y


class StreamLIF(wiring.Component):
    """Shared body of the bitstream neurons: a LIF driven by ``drive * input_scale``."""

    def _lif(self, m: Module, lif: LIFParams, drive: Value) -> None:
        p = self.params
        m.submodules.lif = core = LIFDatapath(params=lif)
        m.d.comb += [
            core.v.eq(self.v), core.refrac.eq(self.refrac),
            core.i_in.eq(Mux(drive, p.input_scale, 0)), core.noise_in.eq(0),
            self.v_next.eq(core.v_next), self.refrac_next.eq(core.refrac_next),
            self.spike.eq(core.spike),
        ]
