"""Stochastic LIF: an SNG bit times ``input_scale`` into the LIF datapath.

Built from the same :class:`~neurocore_hw.models.sc_lif.SCLIFParams` as the golden model.
"""

from __future__ import annotations

from amaranth.hdl import Module

from neurocore_hw.models.sc_lif import SCLIFParams

from .hardware import Hardware, check_params, datapath_signature
from .sc_common import StreamLIF, bit_reverse, lfsr_next

__all__ = ["HARDWARE", "SCLIFDatapath"]


class SCLIFDatapath(StreamLIF):
    """Stochastic LIF: an SNG bit times ``input_scale`` into the LIF datapath.

    Parameters
    ----------
    params : SCLIFParams
        Keyword-only.
    """

    def __init__(self, *, params: SCLIFParams):
        check_params("SCLIFDatapath", params, SCLIFParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """SNG, LIF."""
        m = Module()
        p = self.params
        if p.source == "lfsr":
            bit = self.rng < self.x
            m.d.comb += self.rng_next.eq(lfsr_next(self.rng, p.x_width))
        else:
            bit = bit_reverse(self.rng, p.x_width) < self.x
            m.d.comb += self.rng_next.eq(self.rng + 1)
        self._lif(m, p.lif, bit)
        return m


HARDWARE = Hardware(params_cls=SCLIFParams, datapath=SCLIFDatapath)
