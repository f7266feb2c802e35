"""Measure the population core's clocks per timestep, per input event and per recurrent
spike in Verilator (differences between runs that differ in one count only).

Usage: ``python docs/scripts/core_throughput.py``; prints one JSON line per size and
datapath (combinational, pipelined with the default 2 adder levels per stage). The
clocks include the testbench's handshakes (a ``start`` pulse and the wait for ``busy``
to fall, the ``valid/ready`` of each event).
"""

from __future__ import annotations

import json

import numpy as np

from neurocore_hw.network import CoreConfig
from neurocore_hw.registry import resolve_params
from rtl_gen.verify.core import run_core_cosim

__all__ = ["clocks"]

LIF = resolve_params("lif", "sc_lif_q8_8", {"gain_k": 256})


def clocks(n: int, pipelined: bool = False) -> dict:
    """Clocks of a timestep without events, of an input event, of a recurrent spike."""
    config = CoreConfig(params=LIF, neurons=n, inputs=4, recurrent=True)
    zero = np.zeros((config.rows, n), np.int64)

    def cycles(steps, events, weights=zero, **kw):
        res = run_core_cosim(config, weights, events, steps, stall=0, gaps=False,
                             pipelined=pipelined, **kw)
        assert res.passed, res.first_mismatch
        return res

    base = cycles(20, [])
    step = (cycles(40, []).cycles - base.cycles) / 20
    event = (cycles(20, [[0] * 10] * 20).cycles - base.cycles) / 200
    # one neuron fires every timestep (its v starts above threshold, input keeps it there;
    # refractory 2 lets it fire every third step): each spike adds one recurrent row
    hot = zero.copy()
    hot[0, 0] = 127
    fired = cycles(30, [[0] * 3] * 30, weights=hot)
    quiet = cycles(30, [[1] * 3] * 30)
    spike = (fired.cycles - quiet.cycles) / fired.events_out
    return {"neurons": n, "pipelined": pipelined, "clocks_per_timestep": step,
            "clocks_per_event": event, "clocks_per_recurrent_spike": spike,
            "spikes": fired.events_out}


if __name__ == "__main__":
    for n in (64, 256, 1024):
        for pipelined in (False, True):
            print(json.dumps(clocks(n, pipelined)), flush=True)
