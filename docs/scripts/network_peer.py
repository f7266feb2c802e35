"""The batched-network benchmark's peer side: one peer runs the network of IN.npz.

Runs in a peer's own environment (``build/peers/brian2`` or ``build/peers/torch``), never
the project's: ``python network_peer.py PEER IN.npz`` with PEER ``brian2-cpp`` or
``snntorch``; prints one JSON line (``seconds`` of the simulation loop alone, ``spikes``).

IN.npz holds ``x`` (uint8 ``[T, B, M]`` input spikes) and ``w`` (int8 ``[M, N]``
weights). The network, in both peers and in neurocore-hw: per sample, ``v <- v - v / 16 +
sum_s x[s] w[s] / 256``, a spike when ``v >= 1``, then ``v = 0``. Differences, stated:
Brian2 has the 2-step refractory period of the engine's ``sc_lif_q8_8``; snnTorch's
``Leaky`` has none (so its spike count differs). Each peer runs at its own defaults
(Brian2's C++ standalone with its default compiler flags, timed by ``_last_run_time``;
snnTorch on torch's CPU build, one thread, ``torch.no_grad``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

import numpy as np

__all__ = ["main"]

LEAK = 1 / 16


def _brian2(x: np.ndarray, w: np.ndarray) -> dict:
    import brian2 as b2

    steps, batch, m = x.shape
    n = w.shape[1]
    outdir = tempfile.mkdtemp(prefix="brian2-network-")
    b2.set_device("cpp_standalone", build_on_run=False, directory=outdir)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.defaultclock.dt = 1 * b2.ms
    t, b, s = np.nonzero(x)
    inputs = b2.SpikeGeneratorGroup(batch * m, b * m + s, t * b2.ms)
    group = b2.NeuronGroup(batch * n, f"dv/dt = -v * {LEAK} / ms : 1 (unless refractory)",
                           threshold="v >= 1", reset="v = 0", refractory=2 * b2.ms,
                           method="euler")
    syn = b2.Synapses(inputs, group, "w : 1", on_pre="v_post += w")
    src = (np.arange(batch)[:, None, None] * m + np.arange(m)[None, :, None]).repeat(n, 2)
    dst = (np.arange(batch)[:, None, None] * n + np.arange(n)[None, None, :]).repeat(m, 1)
    syn.connect(i=src.reshape(-1), j=dst.reshape(-1))
    syn.w = np.tile(w.reshape(-1) / 256.0, batch)
    mon = b2.SpikeMonitor(group, record=False)
    net = b2.Network(inputs, group, syn, mon)
    net.run(steps * b2.ms)
    b2.device.build(run=False)
    b2.device.run()
    return {"peer": "brian2-cpp", "version": b2.__version__,
            "seconds": float(b2.device._last_run_time), "spikes": int(mon.num_spikes),
            "synapses": int(batch * m * n)}


def _snntorch(x: np.ndarray, w: np.ndarray) -> dict:
    import snntorch as snn
    import torch

    torch.set_num_threads(1)
    xs = torch.from_numpy(x.astype(np.float32))
    fc = torch.nn.Linear(w.shape[0], w.shape[1], bias=False)
    lif = snn.Leaky(beta=1 - LEAK, threshold=1.0, reset_mechanism="zero")
    with torch.no_grad():
        fc.weight.copy_(torch.from_numpy(w.T.astype(np.float32) / 256.0))
        mem = lif.init_leaky()
        total = torch.zeros(())
        t0 = time.perf_counter()
        for t in range(xs.shape[0]):
            spk, mem = lif(fc(xs[t]), mem)
            total += spk.sum()
        seconds = time.perf_counter() - t0
    return {"peer": "snntorch", "version": snn.__version__, "torch": torch.__version__,
            "seconds": seconds, "spikes": int(total)}


def main(argv: list[str]) -> int:
    """Run one peer; print a JSON line."""
    if len(argv) != 2 or argv[0] not in ("brian2-cpp", "snntorch"):
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with np.load(argv[1]) as data:
        x, w = data["x"], data["w"]
    result = _brian2(x, w) if argv[0] == "brian2-cpp" else _snntorch(x, w)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
