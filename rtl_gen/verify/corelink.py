"""Co-simulation of the core link (a population core behind the UART, or the whole board
top with it) against the golden model: weights written over the link, random input
events and timesteps, every neuron's state read back; every reply byte compared."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from neurocore_hw.hostlink import (
    STEP,
    NetworkDriver,
    encode_event,
    encode_read,
    encode_step_reply,
    encode_write,
    pack_state,
)
from neurocore_hw.layered import LayeredNetwork, core_events, core_layers, run_layered
from neurocore_hw.network import CoreConfig, run_network

from ..corelink import corelink_verilog
from .toolchain import DEFAULT_BUILD_ROOT, build_model, run_bench

__all__ = ["corelink_transactions", "network_transactions", "run_corelink_cosim",
           "run_network_link_cosim"]


def corelink_transactions(config: CoreConfig, *, steps: int, seed: int,
                          rate: float = 0.3) -> tuple[list[bytes], list[bytes], dict]:
    """Host bytes and the golden replies: the weights (random, full range), then per
    timestep random events (sources in order) and the step, then a read of every
    neuron's state. Returns (sends, replies, facts)."""
    rng = np.random.default_rng(seed)
    lo, hi = -(1 << (config.weight_width - 1)), (1 << (config.weight_width - 1)) - 1
    weights = rng.integers(lo, hi, endpoint=True, size=(config.rows, config.neurons))
    weights[:, : config.neurons // 4] = hi  # a quarter of the neurons driven hard: spikes
    events = [list(rng.integers(0, config.inputs, size=rng.binomial(config.inputs, rate)))
              for _ in range(steps)]
    golden = run_network(config, weights, events, steps)
    sends = [b"".join(encode_write(0, r * config.neurons + i, int(weights[r, i]))
                      for r in range(config.rows) for i in range(config.neurons))]
    replies = [b""]
    aer = golden.aer
    for t in range(steps):
        sends.append(b"".join(encode_event(int(s)) for s in events[t]) + STEP)
        replies.append(encode_step_reply(aer[aer[:, 0] == t % (1 << config.time_width), 1]))
    names = [p.name for p in config.params.state_ports()]
    for i in range(config.neurons):
        sends.append(encode_read(1, i))
        word = pack_state(config.params, **{n: int(getattr(golden.state, n)[i])
                                            for n in names})
        replies.append(word.to_bytes(8, "little"))
    facts = {"events": sum(len(e) for e in events), "spikes": int(golden.spikes.sum()),
             "steps": steps}
    return sends, replies, facts


def run_corelink_cosim(config: CoreConfig, *, steps: int = 20, seed: int = 1,
                       divisor: int = 4, build_root=None, verilog_text: str | None = None,
                       board: str | None = None) -> dict:
    """The core link under Verilator against the golden model.

    With ``board``, the whole board top (:class:`rtl_gen.board.BoardTop` with the core:
    button reset synchronizer, ``rx`` synchronizer) at the baud rate that gives
    ``divisor`` clocks per bit.

    Returns
    -------
    dict
        ``transactions``, ``mismatches``, ``first_mismatch``, ``clocks``, ``passed`` and
        the stimulus facts (``events``, ``spikes``, ``steps``).
    """
    rows = config.rows
    meta = {"divisor": divisor, "seed": seed, "reset": "rst",
            "timestep_clocks": 4 * (config.neurons + 16) * (2 + (rows if config.recurrent
                                                                   else 0))}
    if board is None:
        text, top = corelink_verilog(config, divisor)
    else:
        from .. import board as boards

        spec = boards.BOARDS[board]
        text, top = boards.board_verilog(None, board, round(spec.clock_hz / divisor),
                                         core=config)
        meta["reset"] = "rst_n"
    if verilog_text is not None:
        text = verilog_text
    sends, replies, facts = corelink_transactions(config, steps=steps, seed=seed)
    return _run(text, top, sends, replies, facts, meta, build_root)


def _run(text, top, sends, replies, facts, meta, build_root) -> dict:
    build_dir, _ = build_model(text, top, build_root=build_root or DEFAULT_BUILD_ROOT,
                               extra_waivers=("CASEINCOMPLETE",))

    def flat(chunks):
        at = np.cumsum([0] + [len(c) for c in chunks])
        return np.frombuffer(b"".join(chunks), dtype=np.uint8), at

    send, send_at = flat(sends)
    expect, expect_at = flat(replies)
    with tempfile.TemporaryDirectory(prefix="neurocore-corelink-") as tmp:
        tmp = Path(tmp)
        np.savez(tmp / "data.npz", send=send, send_at=send_at, expect=expect,
                 expect_at=expect_at)
        env = {"NEUROCORE_CORELINK_DATA": str(tmp / "data.npz"),
               "NEUROCORE_CORELINK_REPORT": str(tmp / "report.json"),
               "NEUROCORE_CORELINK_META": json.dumps(meta)}
        result, _ = run_bench(build_dir, top, "bench_corelink", tmp=tmp, env=env,
                              report=tmp / "report.json", what="core-link co-simulation")
    result.update(facts)
    result["passed"] = (result["mismatches"] == 0
                        and result["transactions"] == len(sends))
    return result


class _Recorder:
    """A byte stream that keeps what is written."""

    def __init__(self):
        self.sent = b""

    def write(self, data: bytes) -> None:
        self.sent += data


def network_transactions(net: LayeredNetwork, x) -> tuple[list[bytes], list[bytes], dict]:
    """Host bytes and golden replies for a layered network on the chain of cores behind
    the link: :meth:`~neurocore_hw.hostlink.NetworkDriver.load`'s bytes (every core's
    weights, reset state and bias registers; region byte ``core << 2 | region``), then
    per timestep core 0's input events (the active sources, ascending) and the step --
    the reply the last core's spikes --, then every core's every neuron's state read
    back. The last layer must spike."""
    if not net.layers[-1].spiking:
        raise ValueError("the last layer is a readout: read it over the bus instead")
    x = np.asarray(x)
    cores, steps = core_layers(net), x.shape[0]
    recorder = _Recorder()
    NetworkDriver(recorder, net).load()  # the host driver's own bytes
    sends, replies, finals = [recorder.sent], [b""], []
    feed = x
    for core in cores:
        res = run_network(core.config, core.weights, core_events(feed, core.has_bias), steps,
                          bias=core.bias)
        finals.append(res)
        feed = res.spikes[:, :core.size].astype(np.int64)
    ref = run_layered(net, x[:, None, :])["output"][:, 0]
    if not np.array_equal(finals[-1].spikes[:, :cores[-1].size], ref):
        raise AssertionError("the golden chain of cores differs from run_layered")
    for t, events in enumerate(core_events(x, False)):
        sends.append(b"".join(encode_event(int(s)) for s in events) + STEP)
        replies.append(encode_step_reply(np.flatnonzero(finals[-1].spikes[t])))
    for k, (core, res) in enumerate(zip(cores, finals)):
        names = [q.name for q in core.config.params.state_ports()]
        for i in range(core.config.neurons):
            sends.append(encode_read(k << 2 | 1, i))
            word = pack_state(core.config.params, **{n: int(getattr(res.state, n)[i])
                                                     for n in names})
            replies.append(word.to_bytes(8, "little"))
    facts = {"events": int(x.sum()), "spikes": int(finals[-1].spikes.sum()), "steps": steps,
             "cores": len(cores)}
    return sends, replies, facts


def run_network_link_cosim(net: LayeredNetwork, x, *, divisor: int = 4, build_root=None,
                           verilog_text: str | None = None) -> dict:
    """A layered network on the chain of cores behind the link, under Verilator, one
    sample ``x`` ``[T, C]`` of spikes (:func:`network_transactions`); as
    :func:`run_corelink_cosim`."""
    chain = [(c.config, c.has_bias) for c in core_layers(net)]
    text, top = corelink_verilog(None, divisor, chain=chain)
    sends, replies, facts = network_transactions(net, x)
    worst = sum((c.neurons + 16) * (2 + (c.rows if c.recurrent else 0)) for c, _ in chain)
    return _run(verilog_text or text, top, sends, replies, facts,
                {"divisor": divisor, "seed": 0, "reset": "rst", "timestep_clocks": 4 * worst},
                build_root)
