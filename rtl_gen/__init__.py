"""Hardware side of neurocore-hw: Amaranth datapaths, wrappers and Verilog emission."""

from .emit import emit_verilog, top_name
from .unit import NeuronUnit, datapath_for

__all__ = ["NeuronUnit", "datapath_for", "emit_verilog", "top_name"]
