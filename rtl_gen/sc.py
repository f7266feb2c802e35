"""Stochastic-computing hardware: LFSR and counter sources, SNG comparators, AND / XNOR /
MUX arithmetic, the counter decoder, and the two bitstream neurons.

Each datapath is combinational like the neuron datapaths (present source registers and
inputs in, ``<state>_next`` and the output bit as ``spike`` out); the generic
:class:`~rtl_gen.unit.NeuronUnit` adds the registers, whose synchronous reset loads the
constant seeds. Everything mirrors :mod:`neurocore_hw.sc` and the ``sc_*`` golden models.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, Value, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw import sc
from neurocore_hw.models.sc_add import SCAddParams
from neurocore_hw.models.sc_decoder import DecoderParams
from neurocore_hw.models.sc_lif import SCLIFParams, lif_core
from neurocore_hw.models.sc_mul import SCMulParams
from neurocore_hw.models.sc_sng import SNGParams
from neurocore_hw.models.sc_xor_neuron import XorNeuronParams

from .lif import LIFDatapath
from .unit import port_shape

__all__ = ["DecoderDatapath", "SCAddDatapath", "SCLIFDatapath", "SCMulDatapath",
           "SNGDatapath", "XorNeuronDatapath", "bit_reverse", "lfsr_next"]


def lfsr_next(state: Value, width: int, mirror: bool = False) -> Value:
    """The LFSR's next state: shift left, the XOR of the tap bits into bit 0."""
    fb = Const(0, 1)
    for t in sc.taps_for(width, mirror):
        fb = fb ^ state[t - 1]
    return Cat(fb, state[:width - 1])


def bit_reverse(value: Value, width: int) -> Value:
    """The low ``width`` bits of ``value`` in reverse order (wiring only)."""
    return Cat(*(value[width - 1 - b] for b in range(width)))


def _two_streams(m: Module, dp, width: int, source: str, x: Value, y: Value):
    """Two decorrelated SNG bits of a datapath with ``ra``/``rb`` or ``count`` registers
    (mirrors :func:`neurocore_hw.models.sc_common.two_streams`); drives the next values."""
    if source == "vdc":
        m.d.comb += dp.count_next.eq(dp.count + 1)
        return bit_reverse(dp.count, width) < x, dp.count < y
    m.d.comb += [dp.ra_next.eq(lfsr_next(dp.ra, width)),
                 dp.rb_next.eq(lfsr_next(dp.rb, width, mirror=True))]
    return dp.ra < x, dp.rb < y


def _ports(params) -> dict:
    members = {p.name: In(port_shape(p)) for p in params.input_ports()}
    for s in params.state_ports():
        members[s.name] = In(port_shape(s))
        members[s.name + "_next"] = Out(port_shape(s))
    members["spike"] = Out(1)
    return members


def _check(params, cls) -> None:
    if not isinstance(params, cls):
        raise TypeError(f"params must be {cls.__name__}, got {type(params).__name__}")


class SNGDatapath(wiring.Component):
    """SNG: ``spike = random < x``; ``rand_next`` is the LFSR step or the counter + 1.

    Parameters
    ----------
    params : SNGParams
        Keyword-only.
    """

    def __init__(self, *, params: SNGParams):
        _check(params, SNGParams)
        self.params = params
        super().__init__(_ports(params))

    def elaborate(self, platform) -> Module:
        """Compare, then step the source."""
        m = Module()
        p = self.params
        if p.source == "lfsr":
            m.d.comb += [self.spike.eq(self.rand < self.x),
                         self.rand_next.eq(lfsr_next(self.rand, p.width, p.taps == "mirror"))]
        else:
            m.d.comb += [self.spike.eq(bit_reverse(self.rand, p.width) < self.x),
                         self.rand_next.eq(self.rand + 1)]
        return m


class SCMulDatapath(wiring.Component):
    """SC multiplier: two SNG bits combined by AND (unipolar) or XNOR (bipolar).

    Parameters
    ----------
    params : SCMulParams
        Keyword-only.
    """

    def __init__(self, *, params: SCMulParams):
        _check(params, SCMulParams)
        self.params = params
        super().__init__(_ports(params))

    def elaborate(self, platform) -> Module:
        """Two comparators, one gate, the sources' next states."""
        m = Module()
        p = self.params
        a, b = _two_streams(m, self, p.width, p.source, self.x, self.y)
        m.d.comb += self.spike.eq(a & b if p.op == "and" else ~(a ^ b))
        return m


class SCAddDatapath(wiring.Component):
    """SC scaled adder: ``sel ? a : b`` with a select stream of probability 1/2.

    Parameters
    ----------
    params : SCAddParams
        Keyword-only.
    """

    def __init__(self, *, params: SCAddParams):
        _check(params, SCAddParams)
        self.params = params
        super().__init__(_ports(params))

    def elaborate(self, platform) -> Module:
        """Three streams, one multiplexer, the sources' next states."""
        m = Module()
        p, w = self.params, self.params.width
        if p.source == "vdc":
            half = self.count[1:]
            a, b, sel = bit_reverse(half, w) < self.x, half < self.y, self.count[0]
            m.d.comb += self.count_next.eq(self.count + 1)
        else:
            a, b, sel = self.ra < self.x, self.rb < self.y, ~self.rs[w - 1]
            m.d.comb += [self.ra_next.eq(lfsr_next(self.ra, w)),
                         self.rb_next.eq(lfsr_next(self.rb, w, mirror=True)),
                         self.rs_next.eq(lfsr_next(self.rs, w))]
        m.d.comb += self.spike.eq(Mux(sel, a, b))
        return m


class DecoderDatapath(wiring.Component):
    """Counter decoder over windows of ``2**log2_length`` clocks.

    Parameters
    ----------
    params : DecoderParams
        Keyword-only.
    """

    def __init__(self, *, params: DecoderParams):
        _check(params, DecoderParams)
        self.params = params
        super().__init__(_ports(params))

    def elaborate(self, platform) -> Module:
        """Count; on the window's last clock latch the total and restart."""
        m = Module()
        n = self.params.log2_length
        total = Signal(unsigned(n + 1))
        m.d.comb += [
            total.eq(self.count + self.bit),
            self.spike.eq(self.phase == (1 << n) - 1),
            self.phase_next.eq(self.phase + 1),
            self.count_next.eq(Mux(self.spike, 0, total)),
            self.value_next.eq(Mux(self.spike, total, self.value)),
        ]
        return m


class _StreamLIF(wiring.Component):
    """Shared body of the bitstream neurons: a LIF driven by ``drive * input_scale``."""

    def _lif(self, m: Module, drive: Value) -> None:
        p = self.params
        m.submodules.lif = core = LIFDatapath(params=lif_core(p))
        m.d.comb += [
            core.v.eq(self.v), core.refrac.eq(self.refrac),
            core.i_in.eq(Mux(drive, p.input_scale, 0)), core.noise_in.eq(0),
            self.v_next.eq(core.v_next), self.refrac_next.eq(core.refrac_next),
            self.spike.eq(core.spike),
        ]


class SCLIFDatapath(_StreamLIF):
    """Stochastic LIF: an SNG bit times ``input_scale`` into the LIF datapath.

    Parameters
    ----------
    params : SCLIFParams
        Keyword-only.
    """

    def __init__(self, *, params: SCLIFParams):
        _check(params, SCLIFParams)
        self.params = params
        super().__init__(_ports(params))

    def elaborate(self, platform) -> Module:
        """SNG, LIF."""
        m = Module()
        p = self.params
        if p.source == "lfsr":
            bit = self.rand < self.x
            m.d.comb += self.rand_next.eq(lfsr_next(self.rand, p.x_width))
        else:
            bit = bit_reverse(self.rand, p.x_width) < self.x
            m.d.comb += self.rand_next.eq(self.rand + 1)
        self._lif(m, bit)
        return m


class XorNeuronDatapath(_StreamLIF):
    """Dendritic XOR neuron: two SNG bits, XOR, the LIF datapath.

    Parameters
    ----------
    params : XorNeuronParams
        Keyword-only.
    """

    def __init__(self, *, params: XorNeuronParams):
        _check(params, XorNeuronParams)
        self.params = params
        super().__init__(_ports(params))

    def elaborate(self, platform) -> Module:
        """Two SNGs, the dendrite's XOR, LIF."""
        m = Module()
        p = self.params
        d1, d2 = _two_streams(m, self, p.x_width, p.source, self.x1, self.x2)
        self._lif(m, d1 ^ d2)
        return m
