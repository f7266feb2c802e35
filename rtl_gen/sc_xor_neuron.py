"""Dendritic XOR neuron: two SNG streams, XOR, the LIF datapath.

Built from the same :class:`~neurocore_hw.models.sc_xor_neuron.XorNeuronParams` as the golden model.
"""

from __future__ import annotations

from amaranth.hdl import Module

from neurocore_hw.models.sc_xor_neuron import XorNeuronParams

from .hardware import Hardware, check_params, datapath_signature
from .sc_common import StreamLIF, two_streams

__all__ = ["HARDWARE", "XorNeuronDatapath"]


class XorNeuronDatapath(StreamLIF):
    """Dendritic XOR neuron: two SNG bits, XOR, the LIF datapath.

    Parameters
    ----------
    params : XorNeuronParams
        Keyword-only.
    """

    def __init__(self, *, params: XorNeuronParams):
        check_params("XorNeuronDatapath", params, XorNeuronParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Two SNGs, the dendrite's XOR, LIF."""
        m = Module()
        p = self.params
        d1, d2 = two_streams(m, self, p.x_width, p.source, self.x1, self.x2)
        self._lif(m, p.lif, d1 ^ d2)
        return m


HARDWARE = Hardware(params_cls=XorNeuronParams, datapath=XorNeuronDatapath)
