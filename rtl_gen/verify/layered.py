"""Bit-exact co-simulation of a layered network as a chain of population cores.

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

from neurocore_hw.layered import LayeredNetwork, core_events, core_layers, run_cores, run_layered

from .core import CoreCosimResult, run_core_cosim
from .toolchain import DEFAULT_BUILD_ROOT

__all__ = ["LayeredCosimResult", "run_layered_cosim"]


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
                      build_root: str | Path = DEFAULT_BUILD_ROOT,
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
    for k, (core, spikes) in enumerate(zip(cores, chain)):
        events = core_events(feed, core.has_bias)
        results.append(run_core_cosim(core.config, core.weights, events, x.shape[0],
                                      stall=stall, seed=seed + k, build_root=build_root,
                                      pipelined=pipelined))
        feed = spikes.astype(np.int64)
    return LayeredCosimResult(layers=results, chain_equals_network=equal)
