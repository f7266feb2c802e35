"""Verification: the Verilator toolchain and the bit-exact co-simulations of a unit
(per cycle or bulk), the population core and the UART host link, each against the golden
model. The cocotb benches they run ship as package data (``sim/`` in the repository).
"""

from .core import CoreCosimResult, run_core_cosim
from .hostlink import run_hostlink_cosim
from .unit import CosimResult, run_cosim

__all__ = ["CoreCosimResult", "CosimResult", "run_core_cosim", "run_cosim",
           "run_hostlink_cosim"]
