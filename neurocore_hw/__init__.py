"""neurocore-hw: spiking-neuron models as bit-true golden models and synthesizable RTL.

The software side (this package) uses NumPy only; the hardware side lives in
:mod:`rtl_gen` and is driven by the same ``Params`` objects (``params.model`` names the
model a ``Params`` belongs to).
"""

from .engine import RunResult, run
from .model import Model, PortSpec, StatefulModel, model_of
from .network import CoreConfig, NetworkResult, run_network
from .registry import MODELS, get_model, resolve_params

__all__ = ["MODELS", "CoreConfig", "Model", "NetworkResult", "PortSpec", "RunResult",
           "StatefulModel", "get_model", "model_of", "resolve_params", "run", "run_network"]
__version__ = "0.1.0"
