"""Stochastic number generator: ``spike = random < x`` from an LFSR or a counter.

Built from the same :class:`~neurocore_hw.models.sc_sng.SNGParams` as the golden model.
"""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring

from neurocore_hw.models.sc_sng import SNGParams

from .hardware import Hardware, check_params, datapath_signature
from .sc_common import bit_reverse, lfsr_next

__all__ = ["HARDWARE", "SNGDatapath"]


class SNGDatapath(wiring.Component):
    """SNG: ``spike = random < x``; ``rng_next`` is the LFSR step or the counter + 1.

    Parameters
    ----------
    params : SNGParams
        Keyword-only.
    """

    def __init__(self, *, params: SNGParams):
        check_params("SNGDatapath", params, SNGParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Compare, then step the source."""
        m = Module()
        p = self.params
        if p.source == "lfsr":
            m.d.comb += [self.spike.eq(self.rng < self.x),
                         self.rng_next.eq(lfsr_next(self.rng, p.width, p.taps == "mirror"))]
        else:
            m.d.comb += [self.spike.eq(bit_reverse(self.rng, p.width) < self.x),
                         self.rng_next.eq(self.rng + 1)]
        return m


HARDWARE = Hardware(params_cls=SNGParams, datapath=SNGDatapath)
