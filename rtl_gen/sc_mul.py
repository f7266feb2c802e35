"""SC multiplier: AND (unipolar) or XNOR (bipolar) of two SNG streams.

Built from the same :class:`~neurocore_hw.models.sc_mul.SCMulParams` as the golden model.
"""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring

from neurocore_hw.models.sc_mul import SCMulParams

from .hardware import Hardware, check_params, datapath_signature
from .sc_common import two_streams

__all__ = ["HARDWARE", "SCMulDatapath"]


class SCMulDatapath(wiring.Component):
    """SC multiplier: two SNG bits combined by AND (unipolar) or XNOR (bipolar).

    Parameters
    ----------
    params : SCMulParams
        Keyword-only.
    """

    def __init__(self, *, params: SCMulParams):
        check_params("SCMulDatapath", params, SCMulParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Two comparators, one gate, the sources' next states."""
        m = Module()
        p = self.params
        a, b = two_streams(m, self, p.width, p.source, self.x, self.y)
        m.d.comb += self.spike.eq(a & b if p.op == "and" else ~(a ^ b))
        return m


HARDWARE = Hardware(params_cls=SCMulParams, datapath=SCMulDatapath)
