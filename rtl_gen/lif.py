"""LIF update datapath, built from the same :class:`~neurocore_hw.models.lif.LIFParams`
as the golden model.

Combinational: present state and inputs in, next state and spike out. ``leak_k`` and
``gain_k`` are baked in as shift-and-add constant multipliers (no runtime multiplier, no
DSP). :class:`rtl_gen.unit.NeuronUnit` adds the registers, clock enable and reset.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.models.lif import LIFParams

from .arith import const_mul, saturate, shift_right

__all__ = ["LIFDatapath"]


class LIFDatapath(wiring.Component):
    """One LIF step as combinational logic.

    Parameters
    ----------
    params : LIFParams
        Keyword-only; the integer parameters (elaboration-time constants).

    Attributes
    ----------
    v : In(signed(width))
        Present membrane potential.
    refrac : In(unsigned(refrac_width))
        Present refractory count.
    i_in, noise_in : In(signed(width))
        Input current and noise, ``Q(width, frac)``.
    v_next : Out(signed(width))
        Membrane potential after the step.
    refrac_next : Out(unsigned(refrac_width))
        Refractory count after the step.
    spike : Out(1)
        The neuron fires on this step.
    """

    def __init__(self, *, params: LIFParams):
        if not isinstance(params, LIFParams):
            raise TypeError(f"params must be LIFParams, got {type(params).__name__}")
        self.params = params
        w, rw = params.width, params.refrac_width
        super().__init__({
            "v": In(signed(w)),
            "refrac": In(unsigned(rw)),
            "i_in": In(signed(w)),
            "noise_in": In(signed(w)),
            "v_next": Out(signed(w)),
            "refrac_next": Out(unsigned(rw)),
            "spike": Out(1),
        })

    def elaborate(self, platform) -> Module:
        """Build the step: leak and drive products, sum, overflow, threshold, reset."""
        m = Module()
        p = self.params

        diff = p.v_rest - self.v  # width + 1 bits, exact
        leak = shift_right(const_mul(diff, p.leak_k), p.frac, p.rounding)
        drive = shift_right(const_mul(self.i_in, p.gain_k), p.frac, p.rounding)
        total_expr = self.v + leak + drive + self.noise_in  # exact: wide enough for any sum
        total = Signal(total_expr.shape())
        v_new = Signal(signed(p.width))
        in_refrac = Signal()
        m.d.comb += total.eq(total_expr)
        if p.overflow == "wrap":
            m.d.comb += v_new.eq(total[:p.width])
        else:
            m.d.comb += v_new.eq(saturate(total, p.width))
        m.d.comb += [
            in_refrac.eq(self.refrac != 0),
            self.spike.eq(~in_refrac & (v_new >= p.v_threshold)),
            self.v_next.eq(Mux(in_refrac, p.v_rest, Mux(self.spike, p.v_reset, v_new))),
            self.refrac_next.eq(Mux(in_refrac, self.refrac - 1,
                                    Mux(self.spike, p.refractory, 0))),
        ]
        return m
