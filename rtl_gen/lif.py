"""LIF update datapath, built from the same :class:`~neurocore_hw.models.lif.LIFParams`
as the golden model.

Combinational: present state and inputs in, next state and spike out. ``leak_k`` and
``gain_k`` are baked in as shift-and-add constant multipliers (no runtime multiplier, no
DSP). :class:`rtl_gen.unit.NeuronUnit` adds the registers, clock enable and reset.
"""

from __future__ import annotations

import numpy as np
from amaranth.hdl import Cat, Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring

from neurocore_hw.engine import run
from neurocore_hw.models.lif import LIFParams

from .arith import carry_save_sum, const_mul, csd_digits, saturate, shift_right
from .hardware import Hardware, Variant, check_params, datapath_signature, unit_signature
from .pipeline import Pipeline, Staged, check_levels

__all__ = ["HARDWARE", "LIFDatapath", "LIFFastUnit", "LIFPipelinedDatapath", "run_registered_input"]


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
        check_params("LIFDatapath", params, LIFParams)
        self.params = params
        super().__init__(datapath_signature(params))

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


def _bits_for(lo: int, hi: int) -> int:
    """Signed width holding every integer in ``[lo, hi]``."""
    return max(lo.bit_length() if lo < 0 else 0, hi.bit_length()) + 1


def _signed_field(code: int, width: int) -> int:
    """The two's-complement value of the low ``width`` bits of ``code``."""
    code &= (1 << width) - 1
    return code - (1 << width) if code >> (width - 1) else code


class LIFFastUnit(wiring.Component):
    """LIF unit for high clock rates: the input term a clock ahead, a carry-save loop.

    The input side, ``d = ((i_in * gain_k) >> frac) + noise_in``, is computed from the
    ports into a register together with ``en``, so the unit equals the single-cycle
    :class:`~rtl_gen.unit.NeuronUnit` fed with ``i_in``, ``noise_in`` and ``en`` one
    clock late (a clock with ``rst`` high leaves the staged ``en`` low). The loop uses
    ``v + ((v_rest - v) * leak_k >> frac) + d == (v * (2**frac - leak_k) + v_rest * leak_k
    + half + d * 2**frac) >> frac`` (exact for floor shifts, ``half`` the rounding
    constant): one carry-save reduction and one carry chain, with the threshold test on
    a second chain in parallel. Cycle by cycle it equals
    :func:`run_registered_input`.

    Parameters
    ----------
    params : LIFParams
        Keyword-only; the integer parameters.
    """

    def __init__(self, *, params: LIFParams):
        check_params("LIFFastUnit", params, LIFParams)
        self.params = params
        super().__init__(unit_signature(params))

    def elaborate(self, platform) -> Module:
        """Input stage into (d, en_d); loop: carry-save sum, two chains, select."""
        m = Module()
        p = self.params
        f, w = p.frac, p.width
        half = (1 << (f - 1)) if p.rounding == "nearest" and f else 0
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1

        # x = v * (2**f - k) + d * 2**f + c with c = v_rest * k + half and total = x >> f.
        # The constant is split c = c_hi * 2**f + c_lo: c_lo fills the zero low bits of
        # the d term and c_hi (and -thr, for the threshold test) joins d in the input
        # stage, so each loop sum has no constant vector of its own.
        keep = (1 << f) - p.leak_k
        digits = csd_digits(keep)
        c = p.v_rest * p.leak_k + half + sum(1 for _, sign in digits if sign < 0)
        c_hi, c_lo = c >> f, c & ((1 << f) - 1)
        c_lo_arg = c_lo - sum(1 for _, sign in digits if sign < 0)  # the helper adds them

        # input stage: d = floor((i * g + half + noise * 2**f) / 2**f), staged with en
        drive = [lo * p.gain_k, hi * p.gain_k]
        d_lo = (min(drive) + half) // (1 << f) + lo
        d_hi = (max(drive) + half) // (1 << f) + hi
        in_terms = [(self.i_in, shift, sign) for shift, sign in csd_digits(p.gain_k)]
        in_terms.append((self.noise_in, f, 1))
        en_d = Signal()
        m.d.sync += en_d.eq(self.en)
        staged = []
        for name, offset in (("d", c_hi), ("d_thr", c_hi - p.v_threshold)):
            in_width = _bits_for(min(drive) + half + ((lo + offset) << f),
                                 max(drive) + half + ((hi + offset) << f))
            in_sum = carry_save_sum(m, in_terms, half + (offset << f), in_width, name + "_in")
            reg = Signal(signed(_bits_for(d_lo + offset, d_hi + offset)), name=name)
            m.d.sync += reg.eq(in_sum.as_signed() >> f)
            staged.append(reg)
        d, d_thr = staged

        # loop: x and x - thr * 2**f, each one carry-save level and one chain
        x_lo = min(lo * keep, hi * keep) + ((d_lo + min(c_hi, c_hi - p.v_threshold)) << f)
        x_hi = max(lo * keep, hi * keep) + ((d_hi + max(c_hi, c_hi - p.v_threshold)) << f)
        width = _bits_for(x_lo, x_hi + c_lo)
        v_terms = [(self.v, shift, sign) for shift, sign in digits]
        x = carry_save_sum(m, [*v_terms, (d, f, 1)], c_lo_arg, width, "x").as_signed()
        x_ge = carry_save_sum(m, [*v_terms, (d_thr, f, 1)], c_lo_arg, width,
                              "x_ge").as_signed()
        total = x >> f  # exact, unbounded
        in_refrac = Signal()
        fire = Signal()  # the threshold test on the overflowed value
        v_new = Signal(signed(w))
        if p.overflow == "wrap":
            # v_new = total - m * 2**w with m = floor((total + 2**(w-1)) / 2**w);
            # v_new >= thr  <=>  total - thr >= m * 2**w  <=>  (total - thr) >> w >= m
            # -- a function of a few top bits of the two sums, written as a truth table
            # so that it maps to LUTs rather than to more carry chains
            m.d.comb += v_new.eq(total[:w])
            top, top_ge = x[f + w - 1:], x_ge[f + w:]
            with m.Switch(Cat(top, top_ge)):
                for code in range(1 << (len(top) + len(top_ge))):
                    t = _signed_field(code, len(top))
                    g = _signed_field(code >> len(top), len(top_ge))
                    if g >= (t + 1) >> 1:
                        with m.Case(code):
                            m.d.comb += fire.eq(1)
                with m.Default():
                    m.d.comb += fire.eq(0)
        else:
            # the clamp is monotone and the threshold is in range: clamp(t) >= thr <=>
            # t >= thr, except that clamp(t) >= lo always holds
            m.d.comb += [v_new.eq(saturate(total, w)),
                         fire.eq(1 if p.v_threshold == lo else x_ge >= 0)]
        spike = Signal()
        m.d.comb += [in_refrac.eq(self.refrac != 0), spike.eq(~in_refrac & fire)]
        m.d.sync += self.spike.eq(0)
        with m.If(en_d):
            m.d.sync += [
                self.spike.eq(spike),
                self.v.eq(Mux(in_refrac, p.v_rest, Mux(fire, p.v_reset, v_new))),
                self.refrac.eq(Mux(in_refrac, self.refrac - 1, Mux(fire, p.refractory, 0))),
            ]
        return m


class LIFPipelinedDatapath(wiring.Component):
    """One LIF step as a pipeline of free-running registers, for the population core.

    Same ports as :class:`LIFDatapath`; the outputs belong to the inputs presented
    :attr:`latency` clocks earlier (one new neuron per clock). The sum is regrouped
    exactly as in :class:`LIFFastUnit`: ``v + ((v_rest - v) * leak_k >> frac) ==
    (v * (2**frac - leak_k) + v_rest * leak_k + half) >> frac``, one adder tree per
    shift, then the overflow; the last stage holds only the threshold test and the reset
    multiplexers, which the core registers.

    Parameters
    ----------
    params : LIFParams
        Keyword-only; the integer parameters.
    levels : int
        Keyword-only; adder levels per clock stage (default 2).
    """

    def __init__(self, *, params: LIFParams, levels: int = 2):
        check_params("LIFPipelinedDatapath", params, LIFParams)
        self.params, self.levels = params, check_levels(levels)
        w, rw = params.width, params.refrac_width
        super().__init__(datapath_signature(params))
        probe = Pipeline(None, levels=self.levels, name="probe")
        ins = [Signal(signed(w)), Signal(unsigned(rw)), Signal(signed(w)), Signal(signed(w))]
        #: Clocks from the inputs to the outputs that belong to them.
        self.latency = self._stages(probe, *(probe.input(x) for x in ins))[0].stage

    def _stages(self, pipe: Pipeline, v: Staged, refrac: Staged, i_in: Staged,
                noise: Staged) -> tuple[Staged, Staged]:
        """The overflowed ``v_new`` and ``refrac``, registered into the last stage."""
        p = self.params
        f, w, r = p.frac, p.width, p.rounding
        keep = (1 << f) - p.leak_k
        c = p.v_rest * p.leak_k
        if keep:
            terms = pipe.const_mul_terms(v, keep) + ([(pipe.const(c), 1)] if c else [])
            leaked = pipe.scaled_sum(terms, f, r)
        else:  # back to rest at once: a constant
            half = (1 << (f - 1)) if r == "nearest" and f else 0
            leaked = pipe.const((c + half) >> f)
        terms = [(leaked, 1), (noise, 1)]
        if p.gain_k:
            terms.append((pipe.scaled_sum(pipe.const_mul_terms(i_in, p.gain_k), f, r), 1))
        total = pipe.sum(terms)
        if p.overflow == "wrap":
            lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
            v_new = Staged(total.value[:w].as_signed(), total.stage, total.depth, lo, hi)
        else:
            v_new = pipe.saturate(total, w)
        v_new = pipe.delay(v_new, v_new.stage + 1)  # the threshold test starts at a register
        return v_new, pipe.delay(refrac, v_new.stage)

    def elaborate(self, platform) -> Module:
        """Pipeline stages, then threshold, reset and refractory in the last stage."""
        m = Module()
        p = self.params
        pipe = Pipeline(m, levels=self.levels, name="lif")
        v_new, refrac = self._stages(pipe, pipe.input(self.v), pipe.input(self.refrac),
                                     pipe.input(self.i_in), pipe.input(self.noise_in))
        in_refrac = Signal()
        m.d.comb += [
            in_refrac.eq(refrac.value != 0),
            self.spike.eq(~in_refrac & (v_new.value >= p.v_threshold)),
            self.v_next.eq(Mux(in_refrac, p.v_rest, Mux(self.spike, p.v_reset, v_new.value))),
            self.refrac_next.eq(Mux(in_refrac, refrac.value - 1,
                                    Mux(self.spike, p.refractory, 0))),
        ]
        return m


def run_registered_input(params: LIFParams, i_in, noise_in, en, rst
                         ) -> dict[str, np.ndarray]:
    """Cycle-level model of the ``fast`` unit (:class:`LIFFastUnit`).

    The unit registers its input term and ``en`` one clock ahead of the state update, so
    it is the single-cycle unit fed with ``i_in``, ``noise_in`` and ``en`` one clock
    late; ``rst`` acts at once and also clears the staged ``en``. Built from the golden
    model (the engine), never from the RTL.

    Parameters
    ----------
    params : LIFParams
        Scalar parameters.
    i_in, noise_in, en, rst : array_like, shape (C,)
        Per-clock input codes and controls.

    Returns
    -------
    dict of str to numpy.ndarray of int64, shape (C,)
        ``spike``, ``v`` and ``refrac`` after each clock.
    """
    en = np.asarray(en, dtype=bool)
    rst = np.asarray(rst, dtype=bool)
    staged_en = np.zeros_like(en)
    staged_en[1:] = en[:-1] & ~rst[:-1]

    def late(x):
        out = np.zeros(len(en), dtype=np.int64)
        out[1:] = np.asarray(x, dtype=np.int64)[:-1]
        return out[:, None]

    result = run(params, {"i_in": late(i_in), "noise_in": late(noise_in)}, record=True,
                 en=staged_en, rst=rst)
    return {"spike": result.spikes[:, 0].astype(np.int64), "v": result.traces["v"][:, 0],
            "refrac": result.traces["refrac"][:, 0]}


HARDWARE = Hardware(
    params_cls=LIFParams,
    datapath=LIFDatapath,
    pipelined_datapath=LIFPipelinedDatapath,
    variants={"fast": Variant(LIFFastUnit, run_registered_input, busy=False,
                              summary="input term a clock ahead, carry-save loop")},
)
