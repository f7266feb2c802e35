"""Bit-exact co-simulation of a layered network as a chain of population cores.

Two checks. :func:`run_chain_cosim` runs the whole chain -- every layer's core and the
sequencer of :class:`rtl_gen.chain.CoreChain` in one design -- under Verilator: the host
program delivers each timestep's input events and starts it; the last core's output
events and every core's final state and accumulators are compared with the golden chain.
:func:`run_layered_cosim` runs each layer's core on its own with the golden chain's
events, as a finer-grained check of every layer.

Each layer of a :class:`~neurocore_hw.layered.LayeredNetwork` becomes a
:class:`~rtl_gen.core.NeuronCore` (:func:`neurocore_hw.layered.core_layers`). For one
sample, the golden chain gives every core its input events (the previous layer's output
events of the same timestep, and the bias source); each core's Verilog then runs those
events under Verilator (:func:`rtl_gen.verify.core.run_core_cosim`: every output event
and every state and accumulator word compared), and the golden chain is held equal to
:func:`~neurocore_hw.layered.run_layered`, so the verified cores compute the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from amaranth.back import verilog

from neurocore_hw.layered import (
    LayeredNetwork,
    core_events,
    core_layers,
    readout_trace,
    run_cores,
    run_layered,
)
from neurocore_hw.network import run_network

from ..chain import CHAIN_TOP, CoreChain, chain_layout
from ..core import REGION_ACC, REGION_BIAS, REGION_STATE, REGION_WEIGHTS, strip_weight_init
from .core import (
    CoreCosimResult,
    CoreProgram,
    expected_reads,
    pack_state,
    play_program,
    player_testbench,
    read_regions,
    run_core_cosim,
)
from .toolchain import DEFAULT_BUILD_ROOT

__all__ = ["LayeredCosimResult", "emit_chain", "run_chain_cosim", "run_layered_cosim"]


@dataclass
class LayeredCosimResult:
    """Outcome of one sample through the chain of cores.

    Attributes
    ----------
    layers : list of CoreCosimResult
        Per layer, its core's co-simulation.
    chain_equals_network : bool
        The golden chain of cores produced exactly :func:`run_layered`'s spikes.
    passed : bool
        Every core bit-exact and the chain equal to the network.
    """

    layers: list[CoreCosimResult]
    chain_equals_network: bool

    @property
    def passed(self) -> bool:
        """Every core bit-exact and the chain equal to the network."""
        return self.chain_equals_network and all(r.passed for r in self.layers)

    @property
    def cycles(self) -> int:
        """Clock cycles of all cores (run one after another)."""
        return sum(r.cycles for r in self.layers)


def run_layered_cosim(net: LayeredNetwork, x, *, stall: int = 32, seed: int = 1,
                      build_root: str | Path | None = DEFAULT_BUILD_ROOT,
                      pipelined: bool = False) -> LayeredCosimResult:
    """Co-simulate one sample ``x`` ``[T, C]`` (spikes) through the network's cores.

    Raises
    ------
    ValueError
        A network the cores cannot hold (:func:`core_layers`) or input that is not spikes.
    """
    x = np.asarray(x)
    cores = core_layers(net)
    chain = run_cores(net, x)
    ref = run_layered(net, x[:, None, :])
    equal = all(np.array_equal(c, ref[layer.name][:, 0])
                for c, layer in zip(chain, net.layers))
    feed, results = x, []
    for k, (core, spikes, layer) in enumerate(zip(cores, chain, net.layers)):
        events = core_events(feed, core.has_bias)
        results.append(run_core_cosim(core.config, core.weights, events, x.shape[0],
                                      bias=core.bias, stall=stall, seed=seed + k,
                                      build_root=build_root, pipelined=pipelined,
                                      read_every_step=not layer.spiking))
        feed = spikes.astype(np.int64)
    return LayeredCosimResult(layers=results, chain_equals_network=equal)


def emit_chain(net: LayeredNetwork, *, fifo_depth: int = 16, pipelined: bool = False) -> str:
    """Verilog of the network's :class:`~rtl_gen.chain.CoreChain` (module
    ``neurocore_chain``), with a header naming the layers."""
    cores = core_layers(net)
    chain = CoreChain(layers=[(c.config, c.has_bias) for c in cores], fifo_depth=fifo_depth,
                      pipelined=pipelined)
    lines = [f"neurocore-hw core chain: {len(cores)} layers; do not edit."]
    for layer, core in zip(net.layers, cores):
        lines.append(f"core {len(lines) - 1}: layer {layer.name}, {core.size} "
                     f"{core.config.model} neurons ({core.config.neurons} in the core), "
                     f"{core.config.inputs} sources" + (" (last: bias)" if core.has_bias
                                                       else "") +
                     (", recurrent" if core.config.recurrent else "") +
                     (f", input shift {core.config.input_shift}" if core.config.input_shift
                      else "") + (", bias registers" if core.config.bias else ""))
    text = strip_weight_init(verilog.convert(chain, name=CHAIN_TOP, emit_src=False),
                             cores=len(cores))
    return "".join(f"// {line}\n" for line in lines) + text


def run_chain_cosim(net: LayeredNetwork, x, *, stall: int = 32,
                    build_root: str | Path | None = DEFAULT_BUILD_ROOT, fifo_depth: int = 16,
                    pipelined: bool = False, verilog_text: str | None = None
                    ) -> CoreCosimResult:
    """Run one sample ``x`` ``[T, C]`` (spikes) through the chained cores under Verilator.

    The host program writes every core's weights, reset state, zero accumulators and bias
    registers, then
    per timestep delivers core 0's input events (active sources, ascending) and pulses
    ``start`` (the sequencer adds the bias events and runs the cores in order); at the end
    it reads back every core's state and accumulators. Compared: the last core's output
    events (timestep and neuron, in order) and every word read.

    A non-spiking last layer (an ``li`` or ``cuba_lif`` readout) is read over the bus
    after every timestep (its layer's neurons' state words), and every word compared.

    Returns
    -------
    CoreCosimResult
        ``neurons`` counts every core's; ``events_in`` are core 0's input events,
        ``events_out`` the last core's output events.
    """
    x = np.asarray(x)
    cores = core_layers(net)
    configs = [c.config for c in cores]
    lay = chain_layout(configs)
    steps = x.shape[0]
    feed = x
    finals = []
    for core in cores:  # the golden chain: events, spikes and final state of every core
        events = core_events(feed, core.has_bias)
        res = run_network(core.config, core.weights, events, steps, bias=core.bias)
        finals.append(res)
        feed = res.spikes[:, :core.size].astype(np.int64)
    readout = not net.layers[-1].spiking  # read the last core's register every timestep
    last, last_events = cores[-1], events
    golden = (readout_trace(last, last_events, steps) if readout
              else finals[-1].spikes[:, :last.size])
    ref = run_layered(net, x[:, None, :])
    if not np.array_equal(golden, ref["output"][:, 0]):
        raise AssertionError("the golden chain of cores differs from run_layered")

    prog = CoreProgram(configs[0], layout=lay)
    core_aw = lay["core_addr_bits"]

    def address(k: int, region: int, index: int) -> int:
        return k << core_aw | region << (core_aw - 2) | index

    for k, core in enumerate(cores):
        for i, w in enumerate(core.weights.reshape(-1).tolist()):
            prog.op("write", address(k, REGION_WEIGHTS, i), w)
        init = core.config.params.model.initial_state(core.config.params, core.config.neurons)
        for i, word in enumerate(pack_state(core.config, init).tolist()):
            prog.op("write", address(k, REGION_STATE, i), word)
        for i in range(core.config.neurons):
            prog.op("write", address(k, REGION_ACC, i), 0)
        if core.config.bias:
            for i, b in enumerate(core.bias.tolist()):
                prog.op("write", address(k, REGION_BIAS, i), b)
    events = core_events(x, False)
    reads = []
    if readout:  # the other registers of the readout core, as the golden step keeps them
        state = last.config.params.model.initial_state(last.config.params,
                                                       last.config.neurons)
        acc = None
    for t in range(steps):
        for s in events[t].tolist():
            prog.op("event", d=s)
        prog.op("start")
        prog.op("wait")
        if readout:
            res = run_network(last.config, last.weights, last_events[t:t + 1], 1,
                              state=state, acc=acc, first_step=t, bias=last.bias)
            state, acc = res.state, res.acc
            for i in range(last.size):
                prog.op("read", address(len(cores) - 1, REGION_STATE, i))
            reads += pack_state(last.config, state).tolist()[:last.size]
    for k, (core, res) in enumerate(zip(cores, finals)):
        for region in read_regions(core.config):
            for i in range(core.config.neurons):
                prog.op("read", address(k, region, i))
        reads += expected_reads(core.config, res.state, res.acc, core.bias)
    aer = finals[-1].aer
    aer = aer[aer[:, 1] < cores[-1].size]

    text = (emit_chain(net, fifo_depth=fifo_depth, pipelined=pipelined)
            if verilog_text is None else verilog_text)
    text += player_testbench(lay, configs[0].time_width, CHAIN_TOP)
    work = steps * sum(c.config.neurons * (3 + c.config.inputs) for c in cores)
    return play_program(text, prog, aer, reads, layout=lay,
                        time_width=configs[0].time_width,
                        max_cycles=40 * len(prog.words) + 8 * work + 100_000, stall=stall,
                        build_root=build_root,
                        neurons=sum(c.config.neurons for c in cores), steps=steps,
                        events_in=int(sum(map(len, events))),
                        what="core-chain co-simulation")
