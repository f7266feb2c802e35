"""SC scaled adder: a multiplexer of two SNG streams with a p = 1/2 select stream.

Built from the same :class:`~neurocore_hw.models.sc_add.SCAddParams` as the golden model.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux
from amaranth.lib import wiring

from neurocore_hw.models.sc_add import SCAddParams

from .hardware import Hardware, check_params, datapath_signature
from .sc_common import bit_reverse, lfsr_next

__all__ = ["HARDWARE", "SCAddDatapath"]


class SCAddDatapath(wiring.Component):
    """SC scaled adder: ``sel ? a : b`` with a select stream of probability 1/2.

    Parameters
    ----------
    params : SCAddParams
        Keyword-only.
    """

    def __init__(self, *, params: SCAddParams):
        check_params("SCAddDatapath", params, SCAddParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Three streams, one multiplexer, the sources' next states."""
        m = Module()
        p, w = self.params, self.params.width
        if p.source == "vdc":
            half = self.count[1:]
            a, b, sel = bit_reverse(half, w) < self.x, half < self.y, self.count[0]
            m.d.comb += self.count_next.eq(self.count + 1)
        else:
            a, b, sel = self.ra < self.x, self.rb < self.y, ~self.rs[w - 1]
            m.d.comb += [self.ra_next.eq(lfsr_next(self.ra, w)),
                         self.rb_next.eq(lfsr_next(self.rb, w, mirror=True)),
                         self.rs_next.eq(lfsr_next(self.rs, w))]
        m.d.comb += self.spike.eq(Mux(sel, a, b))
        return m


HARDWARE = Hardware(params_cls=SCAddParams, datapath=SCAddDatapath)
