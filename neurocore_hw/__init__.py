"""neurocore-hw: spiking-neuron models as bit-true golden models and synthesizable RTL.

The software side (this package) uses NumPy only; the hardware side lives in
:mod:`rtl_gen` and is driven by the same ``Params`` objects.
"""

from .engine import RunResult, run
from .network import CoreConfig, NetworkResult, run_network
from .registry import MODELS, ModelEntry, get_model, model_for_params

__all__ = ["MODELS", "CoreConfig", "ModelEntry", "NetworkResult", "RunResult", "get_model",
           "model_for_params", "run", "run_network"]
__version__ = "0.1.0"
