"""Hardware side of neurocore-hw: Amaranth datapaths, wrappers and Verilog emission.

A model's hardware lives in ``rtl_gen/<model file>.py`` and declares ``HARDWARE``
(:class:`~rtl_gen.hardware.Hardware`); :func:`~rtl_gen.hardware.hardware_for` finds it from
a ``Params`` object. Verification is the subpackage :mod:`rtl_gen.verify`.
"""

from .core import NeuronCore, emit_core
from .emit import emit_verilog, top_name
from .hardware import Hardware, Variant, hardware_for
from .unit import NeuronUnit, build_unit, datapath_for

__all__ = ["Hardware", "NeuronCore", "NeuronUnit", "Variant", "build_unit", "datapath_for",
           "emit_core", "emit_verilog", "hardware_for", "top_name"]
