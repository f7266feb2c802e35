"""CuBa LIF (Loihi CUBA arithmetic) datapath, built from
:class:`~neurocore_hw.models.cuba_lif.CubaLIFParams`.

Combinational. Each decay is sign-magnitude: ``|x|`` times the constant ``4096 - d`` as
shift-and-add, ``>> 12``, sign restored (round toward zero, as the golden model).
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring

from neurocore_hw.models.cuba_lif import ACT_SHIFT, DECAY_SHIFT, UNITY, CubaLIFParams

from .arith import const_mul
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "CubaLIFDatapath", "decay_toward_zero"]


def decay_toward_zero(m: Module, x, d: int, name: str) -> Signal:
    """``sign(x) * ((|x| * (4096 - d)) >> 12)`` as a named signal of ``x``'s width."""
    width = x.shape().width
    neg = x < 0
    mag = Signal(width, name=f"{name}_mag")  # |x| fits unsigned width bits, even for min
    scaled = Signal(width, name=f"{name}_scaled")  # |x| (4096 - d) >> 12 <= |x|
    out = Signal(signed(width), name=name)
    m.d.comb += [
        mag.eq(Mux(neg, -x, x)),
        scaled.eq(const_mul(mag, UNITY - d) >> DECAY_SHIFT),
        out.eq(Mux(neg, -scaled, scaled)),
    ]
    return out


class CubaLIFDatapath(wiring.Component):
    """One CuBa LIF step as combinational logic.

    Parameters
    ----------
    params : CubaLIFParams
        Keyword-only.

    Attributes
    ----------
    u : In(signed(width + 1))
        Synaptic current.
    v : In(signed(width))
        Membrane potential.
    a_in : In(signed(in_width))
        Input (weighted spike sum).
    u_next, v_next : Out
        State after the step.
    spike : Out(1)
        ``v`` rose above ``vth << 6``.
    """

    def __init__(self, *, params: CubaLIFParams):
        check_params("CubaLIFDatapath", params, CubaLIFParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Decay and drive ``u``, wrap; decay ``v``, add ``u`` and bias, clip, threshold."""
        m = Module()
        p = self.params
        half = 1 << (p.width - 1)
        du = decay_toward_zero(m, self.u, p.du + 1, "u_decayed")
        dv = decay_toward_zero(m, self.v, p.dv, "v_decayed")
        u_sum = Signal(signed(p.width + 2))
        u_new = Signal(signed(p.width + 1))
        v_sum = Signal(signed(p.width + 3))
        v_new = Signal(signed(p.width))
        m.d.comb += [
            u_sum.eq(du + (self.a_in << ACT_SHIFT)),
            u_new.eq(Mux(u_sum > half, u_sum - 2 * half,
                         Mux(u_sum <= -half, u_sum + 2 * half, u_sum))),
            v_sum.eq(dv + u_new + p.bias),
            v_new.eq(Mux(v_sum > half - 1, half - 1, Mux(v_sum < 1 - half, 1 - half, v_sum))),
            self.u_next.eq(u_new),
        ]
        if p.reset == "none":  # a readout: no threshold, no reset
            m.d.comb += [self.spike.eq(0), self.v_next.eq(v_new)]
        else:
            m.d.comb += [
                self.spike.eq(v_new > p.threshold),
                self.v_next.eq(Mux(self.spike,
                                   v_new - p.threshold if p.reset == "subtract" else 0,
                                   v_new)),
            ]
        return m


HARDWARE = Hardware(params_cls=CubaLIFParams, datapath=CubaLIFDatapath)
