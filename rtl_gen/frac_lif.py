"""Fractional-order LIF datapath, built from
:class:`~neurocore_hw.models.frac_lif.FracLIFParams`.

Combinational: the Grunwald-Letnikov sum ``sum c_k h_k`` (one constant multiply per
history entry, shift-and-add), the input and leak terms, one rounding shift, the
saturation, the compare and the reset; the history registers shift by one (``h2_next =
v``, ``h{k+1}_next = h{k}``). The weights are computed here from the definition
(``w_k = w_{k-1} (1 - (alpha + 1) / k)``, ``c_k = round(-w_k 2**coef_frac)``, the
``tail`` window's rest on the last), not taken
from the golden model; the tests hold the two equal.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring

from neurocore_hw.models.frac_lif import FracLIFParams

from .arith import const_mul, saturate, shift_right
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "FracLIFDatapath", "memory_weights"]


def memory_weights(alpha_k: int, coef_frac: int, count: int,
                   window: str = "truncate") -> list[int]:
    """``c_1..c_count`` of order ``alpha_k / 2**coef_frac`` in ``Q(coef_frac)``; with
    ``window="tail"`` the last also carries ``1 - sum(c)`` (the past beyond the window)."""
    alpha, reals, w, total = alpha_k / (1 << coef_frac), [], 1.0, 0.0
    for k in range(1, count + 1):
        w = w * (1.0 - (alpha + 1.0) / k)
        reals.append(-w)
        total += -w
    if window == "tail":
        reals[-1] += 1.0 - total
    return [int(round(c * (1 << coef_frac))) for c in reals]


class FracLIFDatapath(wiring.Component):
    """One fractional-LIF step as combinational logic.

    Parameters
    ----------
    params : FracLIFParams
        Keyword-only.

    Attributes
    ----------
    v, h2..hK, i_in : In(signed(width))
    v_next, h2_next..hK_next : Out(signed(width))
    spike : Out(1)
    """

    def __init__(self, *, params: FracLIFParams):
        check_params("FracLIFDatapath", params, FracLIFParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Weighted history, input and leak, rounding, saturation, spike, reset, shift."""
        m = Module()
        p = self.params
        past = [self.v] + [getattr(self, f"h{k}") for k in range(2, p.history + 1)]
        acc = const_mul(self.i_in, p.gain_k) - const_mul(self.v, p.leak_k)
        for c, h in zip(memory_weights(p.alpha_k, p.coef_frac, p.history, p.window), past):
            if c:
                acc = acc + const_mul(h, c)
        total = Signal(signed(p.width + p.coef_frac + 8), name="acc")
        v_new = Signal(signed(p.width), name="v_new")
        m.d.comb += [total.eq(acc),
                     v_new.eq(saturate(shift_right(total, p.coef_frac, p.rounding), p.width)),
                     self.spike.eq(v_new >= p.v_th),
                     self.v_next.eq(Mux(self.spike, p.v_reset, v_new))]
        for k in range(2, p.history + 1):
            m.d.comb += getattr(self, f"h{k}_next").eq(past[k - 2])
        return m


HARDWARE = Hardware(params_cls=FracLIFParams, datapath=FracLIFDatapath)
