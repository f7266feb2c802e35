"""Hardware side of neurocore-hw: Amaranth datapaths, wrappers and Verilog emission."""

from .core import NeuronCore
from .core_cosim import emit_core
from .emit import emit_verilog, top_name
from .unit import NeuronUnit, datapath_for

__all__ = ["NeuronCore", "NeuronUnit", "datapath_for", "emit_core", "emit_verilog",
           "top_name"]
