"""Bit-exact co-simulation of a Xylo network as two chained cores with Xylo's synapses.

:meth:`neurocore_hw.xylo_network.XyloNetwork.cores` maps the network onto a hidden core
(input and recurrent synapses) and an output core; :class:`rtl_gen.chain.CoreChain` runs
them last first, so the hidden spikes (with their counts) reach the output neurons a
timestep later, as XyloSim's do. The golden side is each core's
:func:`~neurocore_hw.network.run_network`, held equal to :meth:`XyloNetwork.run` (every
spike count of both populations) before the RTL runs; the RTL chain is then compared
with it: every output event (timestep, neuron, count) and every state word and
accumulator of both cores after the last timestep.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from amaranth.back import verilog

from neurocore_hw.network import run_network
from neurocore_hw.xylo_network import MAX_INPUT_EVENTS, XyloNetwork

from ..chain import CHAIN_TOP, CoreChain, chain_layout
from ..core import REGION_ACC, REGION_STATE, REGION_WEIGHTS, strip_weight_init
from .core import (
    CoreCosimResult,
    CoreProgram,
    expected_reads,
    pack_state,
    play_program,
    player_testbench,
    read_regions,
)
from .toolchain import DEFAULT_BUILD_ROOT

__all__ = ["emit_xylo_chain", "golden_xylo_cores", "run_xylo_chain_cosim"]


def emit_xylo_chain(net: XyloNetwork, *, fifo_depth: int = 16, time_width: int = 16) -> str:
    """Verilog of the network's two-core chain (module ``neurocore_chain``)."""
    cores = net.cores(time_width=time_width)
    chain = CoreChain(layers=[(c, False) for c, _ in cores], fifo_depth=fifo_depth)
    n_in, n_hid, n_out = net.shape
    lines = ["neurocore-hw Xylo network on two cores with Xylo's synapses; do not edit.",
             f"core 0: {n_hid} hidden neurons ({cores[0][0].neurons} in the core), {n_in} "
             f"input channels, shift {net.shift_in}" +
             (f", recurrent shift {net.shift_rec}" if cores[0][0].recurrent else ""),
             f"core 1: {n_out} output neurons ({cores[1][0].neurons} in the core), shift "
             f"{net.shift_out}; runs first, its input is the hidden spikes of the last "
             "timestep"]
    text = strip_weight_init(verilog.convert(chain, name=CHAIN_TOP, emit_src=False), cores=2)
    return "".join(f"// {line}\n" for line in lines) + text


def _input_events(x: np.ndarray) -> list[np.ndarray]:
    counts = np.minimum(np.asarray(x, np.int64), MAX_INPUT_EVENTS)
    return [np.repeat(np.arange(counts.shape[1]), counts[t]) for t in range(len(counts))]


def golden_xylo_cores(net: XyloNetwork, x, *, time_width: int = 16) -> list:
    """Each core's :func:`~neurocore_hw.network.run_network` result for one sample ``x``
    ``[T, channels]`` (event counts), checked against :meth:`XyloNetwork.run` on the
    padded network: every spike count of every neuron. The output core's ``acc`` also
    holds the last timestep's hidden events (the chain delivers them after its sweep).

    Raises
    ------
    AssertionError
        If the cores' golden models and the Xylo network differ.
    """
    x = np.asarray(x)
    steps = len(x)
    (c0, w0), (c1, w1) = net.cores(time_width=time_width)
    hidden = run_network(c0, w0, _input_events(x), steps)
    feed = [np.zeros(0, np.int64)] + [
        np.repeat(hidden.aer[hidden.aer[:, 0] == t, 1], hidden.aer[hidden.aer[:, 0] == t, 2])
        for t in range(steps - 1)]
    output = run_network(c1, w1, feed, steps)
    n_in, n_hid, n_out = net.shape
    padded = XyloNetwork(w0[:n_in], (w0[n_in:] if c0.recurrent
                                     else np.zeros((c0.neurons, c0.neurons), np.int64)),
                         w1, net.hidden, net.output, net.shift_in, net.shift_rec,
                         net.shift_out).run(x)
    for res, want in ((hidden, padded.hidden[:, 0]), (output, padded.output[:, 0])):
        counts = np.zeros_like(want)
        counts[res.aer[:, 0], res.aer[:, 1]] = res.aer[:, 2]
        if not np.array_equal(counts, want):
            raise AssertionError("the cores' golden models differ from the Xylo network")
    if not np.array_equal(padded.output[:, 0, :n_out], net.run(x).output[:, 0]):
        raise AssertionError("the padding changed the network's outputs")
    # the last timestep's hidden events are in the output core's syn at the end
    acc = output.acc
    last = hidden.aer[hidden.aer[:, 0] == steps - 1]
    for i, c in last[:, 1:].tolist():
        acc = np.clip(acc + c * (w1[i] << c1.weight_shift), -(1 << 15), (1 << 15) - 1)
    return [hidden, output._replace(acc=acc)]


def run_xylo_chain_cosim(net: XyloNetwork, x, *, stall: int = 32,
                         build_root: str | Path | None = DEFAULT_BUILD_ROOT,
                         verilog_text: str | None = None) -> CoreCosimResult:
    """Run one sample ``x`` ``[T, channels]`` (event counts) through the two-core chain
    under Verilator and compare with the golden cores.

    The host program writes both cores' weights, reset state and zero accumulators, then
    per timestep delivers each active channel as one event with its count (at most 15,
    as XyloSim clips) and starts the timestep; at the end it reads back every state word
    and accumulator of both cores.

    Returns
    -------
    CoreCosimResult
        ``events_out`` counts the output core's events.
    """
    x = np.asarray(x)
    steps = len(x)
    cores = net.cores()
    finals = golden_xylo_cores(net, x)
    configs = [c for c, _ in cores]
    lay = chain_layout(configs)
    prog = CoreProgram(configs[0], layout=lay)
    core_aw = lay["core_addr_bits"]

    def address(k: int, region: int, index: int) -> int:
        return k << core_aw | region << (core_aw - 2) | index

    for k, (config, weights) in enumerate(cores):
        for i, w in enumerate(weights.reshape(-1).tolist()):
            prog.op("write", address(k, REGION_WEIGHTS, i), w)
        init = config.params.model.initial_state(config.params, config.neurons)
        for i, word in enumerate(pack_state(config, init).tolist()):
            prog.op("write", address(k, REGION_STATE, i), word)
            prog.op("write", address(k, REGION_ACC, i), 0)
    counts = np.minimum(x.astype(np.int64), MAX_INPUT_EVENTS)
    sb = lay["source_bits"]
    for t in range(steps):
        for c in np.flatnonzero(counts[t]).tolist():
            prog.op("event", d=c | int(counts[t, c]) << sb)
        prog.op("start")
        prog.op("wait")
    reads: list[int] = []
    for k, ((config, _), res) in enumerate(zip(cores, finals)):
        for region in read_regions(config):
            for i in range(config.neurons):
                prog.op("read", address(k, region, i))
        reads += expected_reads(config, res.state, res.acc)
    text = (emit_xylo_chain(net) if verilog_text is None else verilog_text)
    text += player_testbench(lay, configs[0].time_width, CHAIN_TOP)
    work = steps * sum(c.neurons * (3 + c.inputs) for c in configs)
    return play_program(text, prog, finals[1].aer, reads, layout=lay,
                        time_width=configs[0].time_width,
                        max_cycles=40 * len(prog.words) + 8 * work + 100_000, stall=stall,
                        build_root=build_root, neurons=sum(c.neurons for c in configs),
                        steps=steps, events_in=int(np.count_nonzero(counts)),
                        what="Xylo core-chain co-simulation")
