"""A layered network in hardware: one population core per layer, chained by a sequencer.

Built from the cores of :func:`neurocore_hw.layered.core_layers`. One network timestep:

1. the host delivers the input events to core 0 (AER in, while the chain is idle), then
   pulses ``start``;
2. for each core ``k`` in order: the sequencer delivers the bias source event if the layer
   has one (after the other events, as the golden chain orders them), waits for the
   core's row adds, starts its timestep; core ``k``'s output events stream straight into
   core ``k + 1``'s AER input (its row adds run while core ``k`` sweeps, backpressure
   pausing the sweep); when core ``k`` is done and its output stream has drained, core
   ``k + 1`` is next;
3. the last core's output events leave on the chain's AER output; ``done`` pulses.

So a layer's spikes reach the next layer in the same timestep and its recurrent rows the
next one, exactly :func:`neurocore_hw.layered.run_cores` (= ``run_layered``). The bus
reaches every core: address ``{core, region, index}``.

Cores with Xylo's synapses (``synapses="xylo"``, every core or none) run in the *reverse*
order: the last core first, then each earlier one, whose output events (with their
spike counts) land in the next core's synaptic currents after that core's sweep. So a
layer's spikes reach the next layer one timestep later, as on Xylo (XyloSim's hidden to
output synapses; :class:`neurocore_hw.xylo_network.XyloNetwork`). The chain then also
has the cores' ``in_count`` (to core 0) and ``out_count`` (from the last core).
"""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.fixed import check_int

from .core import DROPPED_BITS, XYLO_COUNT_BITS, NeuronCore, core_layout

__all__ = ["CHAIN_TOP", "CoreChain", "chain_layout"]

#: Top-level module name of an emitted chain.
CHAIN_TOP = "neurocore_chain"
#: Clocks a core's output stream must stay empty after ``done`` before the next core
#: starts (the output FIFO's read side lags its last write by at most two clocks).
DRAIN_CLOCKS = 4


def _bits(n: int) -> int:
    return max(1, (n - 1).bit_length())


def chain_layout(configs) -> dict[str, int]:
    """Port widths of a chain of cores with these :class:`~neurocore_hw.network.CoreConfig`.

    Returns
    -------
    dict of str to int
        ``core_bits``, ``core_addr_bits`` (the widest core's bus address),
        ``bus_addr_bits``, ``bus_data_bits``, ``source_bits`` and ``in_count_bits`` (core
        0), ``neuron_bits`` and ``count_bits`` (the last core).
    """
    lays = [core_layout(c) for c in configs]
    core_bits = _bits(len(configs))
    core_aw = max(lay["bus_addr_bits"] for lay in lays)
    return {"core_bits": core_bits, "core_addr_bits": core_aw,
            "bus_addr_bits": core_bits + core_aw,
            "bus_data_bits": max(lay["bus_data_bits"] for lay in lays),
            "source_bits": lays[0]["source_bits"], "neuron_bits": lays[-1]["neuron_bits"],
            "in_count_bits": lays[0]["in_count_bits"], "count_bits": lays[-1]["count_bits"]}


class CoreChain(wiring.Component):
    """Population cores chained layer to layer, with the same ports as one core.

    Parameters
    ----------
    layers : sequence of (CoreConfig, bool)
        Keyword-only; per layer its core's configuration and whether its bias row (the
        source after the layer's inputs) gets an event every timestep.
    fifo_depth : int
        Keyword-only; output FIFO depth of every core.
    pipelined : bool
        Keyword-only; the models' pipelined datapaths.

    Attributes
    ----------
    start, busy, done, timestep, in_valid, in_ready, in_source, out_valid, out_ready,
    out_neuron, out_time, bus_addr, bus_wdata, bus_we, bus_re, bus_rdata, bus_rvalid,
    dropped
        As :class:`~rtl_gen.core.NeuronCore`'s; the input stream feeds core 0 (its
        dropped-event count is ``dropped``), the output stream is the last core's, the bus
        address is ``{core, region, index}``.
    """

    def __init__(self, *, layers, fifo_depth: int = 16, pipelined: bool = False):
        layers = list(layers)
        check_int("layers", len(layers), 1, 64)
        self.configs = [config for config, _ in layers]
        self.has_bias = [bool(bias) for _, bias in layers]
        times = {c.time_width for c in self.configs}
        if len(times) != 1:
            raise ValueError(f"the cores need one time_width, got {sorted(times)}")
        xylo = {c.xylo for c in self.configs}
        if len(xylo) != 1:
            raise ValueError("every core of a chain has Xylo's synapses, or none")
        self.xylo = xylo.pop()
        if self.xylo and any(self.has_bias):
            raise ValueError("cores with Xylo's synapses have no bias row")
        self.cores = [NeuronCore(config=c, fifo_depth=fifo_depth, pipelined=pipelined)
                      for c in self.configs]
        self.layout = lay = chain_layout(self.configs)
        tw = self.configs[0].time_width
        super().__init__({
            "start": In(1), "busy": Out(1), "done": Out(1), "timestep": Out(unsigned(tw)),
            "in_valid": In(1), "in_ready": Out(1),
            "in_source": In(unsigned(lay["source_bits"])),
            "dropped": Out(unsigned(DROPPED_BITS)),
            "out_valid": Out(1), "out_ready": In(1),
            "out_neuron": Out(unsigned(lay["neuron_bits"])), "out_time": Out(unsigned(tw)),
            "bus_addr": In(unsigned(lay["bus_addr_bits"])),
            "bus_wdata": In(unsigned(lay["bus_data_bits"])),
            "bus_we": In(1), "bus_re": In(1),
            "bus_rdata": Out(unsigned(lay["bus_data_bits"])), "bus_rvalid": Out(1),
            **({"in_count": In(unsigned(XYLO_COUNT_BITS)),
                "out_count": Out(unsigned(lay["count_bits"]))} if self.xylo else {}),
        })

    def elaborate(self, platform) -> Module:
        """The cores, their bus decode, the links and the per-timestep sequencer."""
        m = Module()
        cores, lay = self.cores, self.layout
        n_layers = len(cores)
        for k, core in enumerate(cores):
            m.submodules[f"core{k}"] = core

        # -- bus: {core, region, index}; each core sees {region, index} at its own width
        core_aw = lay["core_addr_bits"]
        sel = self.bus_addr[core_aw:]
        region = self.bus_addr[core_aw - 2:core_aw]
        rdata = Const(0, lay["bus_data_bits"])
        rvalid = Const(0, 1)
        for k, core in enumerate(cores):
            aw = core.layout["bus_addr_bits"]
            m.d.comb += [
                core.bus_addr.eq(region << (aw - 2) | self.bus_addr[:aw - 2]),
                core.bus_wdata.eq(self.bus_wdata),
                core.bus_we.eq(self.bus_we & (sel == k)),
                core.bus_re.eq(self.bus_re & (sel == k)),
            ]
            rdata = rdata | Mux(core.bus_rvalid, core.bus_rdata, 0)
            rvalid = rvalid | core.bus_rvalid
        m.d.comb += [self.bus_rdata.eq(rdata), self.bus_rvalid.eq(rvalid),
                     self.dropped.eq(cores[0].dropped)]  # only core 0 takes host events

        # -- the sequencer: which core is in its timestep, and what it is waiting for
        layer = Signal(range(n_layers), name="layer")
        inject = Signal(name="inject")  # deliver the bias event of ``layer``
        drain = Signal(range(DRAIN_CLOCKS + 1), name="drain")
        any_busy = Signal()
        m.d.comb += any_busy.eq(sum(c.busy for c in cores) != 0)
        last = cores[-1]
        m.d.comb += [self.out_valid.eq(last.out_valid), self.out_neuron.eq(last.out_neuron),
                     self.out_time.eq(last.out_time), last.out_ready.eq(self.out_ready)]
        for k in range(n_layers - 1):  # core k's output events are core k+1's input events
            src, dst = cores[k], cores[k + 1]
            m.d.comb += [dst.in_valid.eq(src.out_valid), dst.in_source.eq(src.out_neuron),
                         src.out_ready.eq(dst.in_ready)]
            if self.xylo:
                m.d.comb += dst.in_count.eq(src.out_count)
        if self.xylo:
            m.d.comb += [cores[0].in_count.eq(self.in_count),
                         self.out_count.eq(last.out_count)]
        # the order the cores run in: first to last, or (Xylo) last to first; after each
        # core but the last one its output stream drains into the next core
        order = list(range(n_layers))[::-1] if self.xylo else list(range(n_layers))
        follows = dict(zip(order, order[1:]))
        for k, core in enumerate(cores):
            if self.has_bias[k]:
                bias_source = self.configs[k].inputs - 1
                with m.If(inject & (layer == k)):
                    m.d.comb += [core.in_valid.eq(1), core.in_source.eq(bias_source)]
                    if k > 0:  # the link from core k-1 is quiet while injecting
                        m.d.comb += cores[k - 1].out_ready.eq(0)

        with m.FSM(name="seq"):
            with m.State("IDLE"):
                m.d.comb += [cores[0].in_valid.eq(self.in_valid),
                             cores[0].in_source.eq(self.in_source),
                             self.in_ready.eq(cores[0].in_ready),
                             self.busy.eq(any_busy)]
                with m.If(self.start & ~any_busy):
                    m.d.sync += [layer.eq(order[0]), inject.eq(self.has_bias[order[0]])]
                    m.next = "INJECT"
            with m.State("INJECT"):  # the bias event of ``layer`` (if any) is offered
                m.d.comb += self.busy.eq(1)
                bias_taken = Signal()
                for k, core in enumerate(cores):
                    with m.If(layer == k):
                        m.d.comb += bias_taken.eq(core.in_ready)
                with m.If(~inject | bias_taken):
                    m.d.sync += inject.eq(0)
                    m.next = "LAUNCH"
            with m.State("LAUNCH"):  # start the core once its row adds are finished
                m.d.comb += self.busy.eq(1)
                for k, core in enumerate(cores):
                    with m.If((layer == k) & ~core.busy):
                        m.d.comb += core.start.eq(1)
                        m.next = "RUN"
            with m.State("RUN"):
                m.d.comb += self.busy.eq(1)
                for k, core in enumerate(cores):
                    with m.If((layer == k) & core.done):
                        if k == n_layers - 1 and k not in follows:
                            m.d.comb += self.done.eq(1)
                            m.d.sync += self.timestep.eq(self.timestep + 1)
                            m.next = "IDLE"
                        elif k == n_layers - 1:  # Xylo: the last core's stream leaves
                            m.d.sync += [layer.eq(follows[k]),
                                         inject.eq(self.has_bias[follows[k]])]
                            m.next = "INJECT"
                        else:
                            m.d.sync += drain.eq(0)
                            m.next = "DRAIN"
            with m.State("DRAIN"):  # core ``layer``'s output stream stays empty a while
                m.d.comb += self.busy.eq(1)
                for k, core in enumerate(cores[:-1]):
                    with m.If(layer == k):
                        with m.If(core.out_valid):
                            m.d.sync += drain.eq(0)
                        with m.Elif(drain == DRAIN_CLOCKS):
                            if k in follows:
                                m.d.sync += [layer.eq(follows[k]),
                                             inject.eq(self.has_bias[follows[k]])]
                                m.next = "INJECT"
                            else:  # Xylo: core 0's events are in core 1: the step ends
                                m.d.comb += self.done.eq(1)
                                m.d.sync += self.timestep.eq(self.timestep + 1)
                                m.next = "IDLE"
                        with m.Else():
                            m.d.sync += drain.eq(drain + 1)
        return m
