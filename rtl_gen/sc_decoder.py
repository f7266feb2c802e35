"""Counter decoder: the ones of a bitstream per ``2**log2_length``-clock window.

Built from the same :class:`~neurocore_hw.models.sc_decoder.DecoderParams` as the golden model.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, unsigned
from amaranth.lib import wiring

from neurocore_hw.models.sc_decoder import DecoderParams

from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "DecoderDatapath"]


class DecoderDatapath(wiring.Component):
    """Counter decoder over windows of ``2**log2_length`` clocks.

    Parameters
    ----------
    params : DecoderParams
        Keyword-only.
    """

    def __init__(self, *, params: DecoderParams):
        check_params("DecoderDatapath", params, DecoderParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Count; on the window's last clock latch the total and restart."""
        m = Module()
        n = self.params.log2_length
        total = Signal(unsigned(n + 1))
        m.d.comb += [
            total.eq(self.count + self.stream),
            self.spike.eq(self.phase == (1 << n) - 1),
            self.phase_next.eq(self.phase + 1),
            self.count_next.eq(Mux(self.spike, 0, total)),
            self.value_next.eq(Mux(self.spike, total, self.value)),
        ]
        return m


HARDWARE = Hardware(params_cls=DecoderParams, datapath=DecoderDatapath)
