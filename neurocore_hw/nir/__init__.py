"""NIR import: graph -> layers (:mod:`.graph`) -> float64 reference (:mod:`.reference`)
-> quantized layered network (:mod:`.quantize`, run bit-true by
:func:`neurocore_hw.layered.run_layered`)."""

from .graph import NetworkSpec, NIRError, load_graph, spec_from_graph
from .quantize import calibrate_network, quantize_network
from .reference import simulate_float

__all__ = ["NIRError", "NetworkSpec", "calibrate_network", "load_graph", "quantize_network",
           "simulate_float", "spec_from_graph"]
