"""Exponential integrate-and-fire datapath, built from
:class:`~neurocore_hw.models.exp_lif.ExpLIFParams`.

Combinational: the input jump, the exponential's argument (a constant multiply by
``1 / Delta_T``, clipped to the exponential's input width), :class:`~rtl_gen.fixed_exp.
FixedExp` (table, interpolated table or shift-and-add), the exponential term (a constant
multiply by ``Delta_T``), the membrane's Euler step (a constant multiply by
``dt / tau_mem``), the compare, the reset, and the current's decay. Constants are
shift-and-add; the only runtime multiplier is the interpolated table's.
"""

from __future__ import annotations

import math

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring

from neurocore_hw.fixed_exp import ExpParams
from neurocore_hw.models.exp_lif import ExpLIFParams

from .arith import const_mul, saturate, shift_right
from .fixed_exp import FixedExp
from .hardware import Hardware, check_params, datapath_signature

__all__ = ["HARDWARE", "ExpLIFDatapath", "exp_input_width", "exponential_term", "membrane"]


def exp_input_width(width: int, frac: int) -> int:
    """Bits of the exponential's input: signed, ``frac`` fractional, covering
    ``[-(frac + 2) ln 2, (width - frac + 1) ln 2]``, outside which the exponential into
    ``Q(width, frac)`` is 0 or saturated (so the clip to this width changes nothing)."""
    reach = max(frac + 2, width - frac + 1) * math.log(2)
    return frac + 1 + max(1, math.ceil(math.log2(reach)))


def exponential_term(m: Module, p, v) -> Signal:
    """``(exp(sat((v - v_th) / Delta_T)) * Delta_T) >> frac`` into ``m``; returns it."""
    f, r, w = p.frac, p.rounding, p.width
    xw = exp_input_width(w, f)
    unit = FixedExp(params=ExpParams(in_width=xw, in_frac=f, out_width=w, out_frac=f,
                                     method=p.exp_method, table_bits=p.exp_table_bits,
                                     mant_frac=p.exp_mant_frac))
    m.submodules.exp = unit
    y = Signal(signed(w + 1), name="exp_y")  # unsigned w bits as a signed operand
    term = Signal(signed(2 * w + 1), name="exp_term")
    m.d.comb += [unit.x.eq(saturate(shift_right(const_mul(v - p.v_th, p.delta_inv_k), f, r),
                                    xw)),
                 y.eq(unit.y),
                 term.eq(shift_right(const_mul(y, p.delta_k), f, r))]
    return term


class ExpLIFDatapath(wiring.Component):
    """One ExpIF step as combinational logic.

    Parameters
    ----------
    params : ExpLIFParams
        Keyword-only.

    Attributes
    ----------
    v, i, i_in : In(signed(width))
    v_next, i_next : Out(signed(width))
    spike : Out(1)
    """

    def __init__(self, *, params: ExpLIFParams):
        check_params("ExpLIFDatapath", params, ExpLIFParams)
        self.params = params
        super().__init__(datapath_signature(params))

    def elaborate(self, platform) -> Module:
        """Input jump, exponential, membrane, spike, reset, current decay."""
        m = Module()
        membrane(m, self.params, self)
        return m


def membrane(m: Module, p, dp, a=None) -> None:
    """The exponential families' membrane and current step into ``m``, on the ports of
    datapath ``dp`` (``v``, ``i``, ``i_in`` in; ``v_next``, ``i_next``, ``spike`` out);
    ``a`` (AdEx's adaptation) is subtracted from the drive."""
    r, w, f = p.rounding, p.width, p.frac
    term = exponential_term(m, p, dp.v)
    i_j = Signal(signed(w), name="i_jump")
    v_new = Signal(signed(w), name="v_new")
    drive = (p.v_leak - dp.v) + term + i_j
    if a is not None:
        drive = drive - a
    m.d.comb += [
        i_j.eq(saturate(dp.i + dp.i_in, w)),
        v_new.eq(saturate(dp.v + shift_right(const_mul(drive, p.mem_k), f, r), w)),
        dp.spike.eq(v_new > p.v_th),
        dp.v_next.eq(Mux(dp.spike, p.v_reset, v_new)),
        dp.i_next.eq(i_j - shift_right(const_mul(i_j, p.syn_k), f, r)),
    ]


HARDWARE = Hardware(params_cls=ExpLIFParams, datapath=ExpLIFDatapath)
