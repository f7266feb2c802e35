"""exp() in fixed point as combinational logic, built from
:class:`~neurocore_hw.fixed_exp.ExpParams`: the hardware of the exponential families.

The base change is a constant multiply by ``L = round(log2(e) 2**16)`` (shift-and-add)
and an arithmetic shift; the integer part ``k`` and the fraction ``r`` are bit fields of
the result; the mantissa ``m ~ 2**r`` is a constant table indexed by the top bits of
``r`` (``"table"``), the same table with linear interpolation (``"pwl"``: one
``(m+1) x (in_frac - table_bits)``-bit multiplier), or ``1 + r`` (``"shift"``); the
output is ``m`` shifted by ``k + out_frac - mant_frac`` (a barrel shifter, left or
right) and saturated. The tables are computed here from the definition, not taken from
the golden model (:mod:`neurocore_hw.fixed_exp`), which the tests hold equal to this on
every input code.
"""

from __future__ import annotations

import math

from amaranth.hdl import Array, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.fixed_exp import ExpParams

from .arith import const_mul
from .hardware import check_params

__all__ = ["FixedExp", "emit_fixed_exp"]

#: Fractional bits of the ``log2(e)`` constant (the specification's).
_L_FRAC = 16


def _log2e() -> int:
    return round(math.log2(math.e) * (1 << _L_FRAC))


def _mantissas(p: ExpParams) -> list[int]:
    """``round(2**(i / 2**table_bits) 2**mant_frac)``; one more entry for ``"pwl"``."""
    count = (1 << p.table_bits) + (p.method == "pwl")
    return [round(2.0 ** (i / (1 << p.table_bits)) * (1 << p.mant_frac)) for i in range(count)]


class FixedExp(wiring.Component):
    """``y = exp(x)`` in fixed point, combinational.

    Parameters
    ----------
    params : ExpParams
        Keyword-only.

    Attributes
    ----------
    x : In(signed(in_width))
        Input code, ``x / 2**in_frac``.
    y : Out(unsigned(out_width))
        Output code, ``y / 2**out_frac``, saturated at ``2**out_width - 1``.
    """

    def __init__(self, *, params: ExpParams):
        check_params("FixedExp", params, ExpParams)
        self.params = params
        super().__init__({"x": In(signed(params.in_width)),
                          "y": Out(unsigned(params.out_width))})

    def elaborate(self, platform) -> Module:
        """Base change, mantissa, shift, saturation."""
        m = Module()
        p = self.params
        f, mf = p.in_frac, p.mant_frac
        t = Signal(signed(p.in_width + 2), name="t")  # |x log2 e| < 2**(in_width + 1)
        m.d.comb += t.eq(const_mul(self.x, _log2e()) >> _L_FRAC)
        k = t >> f  # signed, floor
        r = t.as_unsigned()[:f]  # the fraction's bits
        mant = Signal(mf + 1, name="mant")
        rest = f - p.table_bits
        if p.method == "shift":
            m.d.comb += mant.eq((Const(1 << mf, mf + 1) + (r << (mf - f) if mf >= f
                                                            else r >> (f - mf)))[:mf + 1])
        else:
            table = Array(Const(v, mf + 2) for v in _mantissas(p))
            idx = r[rest:]
            if p.method == "table":
                m.d.comb += mant.eq(table[idx])
            else:
                upper = Array(Const(v, mf + 2) for v in _mantissas(p)[1:])
                low = r[:rest] if rest else Const(0, 1)
                step = Signal(mf + 1, name="step")  # T[i+1] - T[i] >= 0
                m.d.comb += [step.eq(upper[idx] - table[idx]),
                             mant.eq(table[idx] + ((step * low) >> rest))]
        e = Signal(signed(max(k.shape().width, 8) + 2), name="e")
        m.d.comb += e.eq(k + (p.out_frac - mf))
        top = (1 << p.out_width) - 1
        left = Signal(range(p.out_width + 1), name="left")
        right = Signal(range(mf + 2), name="right")
        m.d.comb += [left.eq(Mux(e > p.out_width, p.out_width, Mux(e < 0, 0, e))),
                     right.eq(Mux(-e > mf + 1, mf + 1, Mux(e > 0, 0, -e)))]
        wide = Signal(mf + 1 + p.out_width, name="wide")
        m.d.comb += wide.eq(Mux(e >= 0, mant << left, mant >> right))
        m.d.comb += self.y.eq(Mux(wide > top, top, wide))
        return m


def emit_fixed_exp(params: ExpParams) -> str:
    """Verilog of :class:`FixedExp` (module ``neurocore_fixed_exp``)."""
    from amaranth.back import verilog

    return verilog.convert(FixedExp(params=params), name="neurocore_fixed_exp",
                           emit_src=False)
