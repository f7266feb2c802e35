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

import numpy as np
from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.memory import Memory

from neurocore_hw.model import PortSpec
from neurocore_hw.models.frac_lif import FracLIFParams, initial_state, step

from .arith import const_mul, saturate, shift_right
from .hardware import (
    Hardware,
    Variant,
    check_params,
    datapath_signature,
    multicycle_clocks,
    unit_signature,
)

__all__ = ["HARDWARE", "FracLIFDatapath", "FracLIFSerialUnit", "memory_weights",
           "run_serial", "serial_outputs"]


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


def serial_outputs(params: FracLIFParams) -> tuple[PortSpec, ...]:
    """State outputs of :class:`FracLIFSerialUnit`: ``v``, and ``h_read``, the history
    word the multiply-accumulate reads on this clock (0 on the other clocks)."""
    v = params.state_ports()[0]
    return (v, PortSpec("h_read", params.width, True, params.frac, 0))


class FracLIFSerialUnit(wiring.Component):
    """Fractional LIF, time-multiplexed: the history in block RAM, one multiply-accumulate
    per clock, ``K + 2`` clocks per step.

    A step starts on a clock where ``busy`` is low and ``en`` is high (``i_in`` is read
    then: ``acc = gain_k i_in``) and goes on for ``K`` clocks, one product each: ``(c_1 -
    leak_k) v``, then ``c_k h_k`` for ``k = 2..K`` with ``h_k`` from a synchronous read
    of the history memory issued the clock before; the last clock rounds, saturates,
    tests the threshold, updates ``v`` and ``spike``, writes the old ``v`` over the
    oldest history word and moves the ring's head onto it. ``en`` is ignored while
    ``busy``. The memory holds ``K - 1`` words and is not cleared by ``rst``: a count of
    the words written since reset masks the others to 0, which is what the golden
    model's reset history is. Cycle by cycle it equals :func:`run_serial`.

    Parameters
    ----------
    params : FracLIFParams
        Keyword-only.

    Attributes
    ----------
    en : In(1)
    i_in : In(signed(width))
    spike : Out(1)
        The spike of the step that finished on the last clock (0 otherwise).
    v : Out(signed(width))
    h_read : Out(signed(width))
        The history word multiplied on this clock (``h_k`` on the step's clock ``k``, 0
        elsewhere): each word is seen once per step, so every history value is checked
        every step.
    busy : Out(1)
    """

    def __init__(self, *, params: FracLIFParams):
        check_params("FracLIFSerialUnit", params, FracLIFParams)
        self.params = params
        super().__init__(unit_signature(params, busy=True, states=serial_outputs(params)))

    @staticmethod
    def cycles_per_step(params: FracLIFParams) -> int:
        """Clocks from a step's start to its result: ``K + 2``."""
        return params.history + 2

    def elaborate(self, platform) -> Module:
        """Coefficient ROM, history ring, one multiplier, the accumulator, the finish."""
        m = Module()
        p = self.params
        w, k_max, depth = p.width, p.history, p.history - 1
        c = memory_weights(p.alpha_k, p.coef_frac, k_max, p.window)
        coefs = [p.gain_k, c[0] - p.leak_k, *c[1:]]  # operand: i_in, v, h2..hK
        coef_w = max(x.bit_length() for x in coefs) + 1
        acc_w = ((1 << (w - 1)) * sum(abs(x) for x in coefs)).bit_length() + 1

        phase = Signal(range(k_max + 2))       # 0 idle / start, 1..K products, K+1 finish
        acc = Signal(signed(acc_w))
        operand = Signal(signed(w))
        product = Signal(signed(w + coef_w))
        history = Signal(signed(w))
        m.d.comb += self.h_read.eq(history)
        if depth:
            # (K = 2: one word, in a two-word memory: addresses of at least one bit)
            m.submodules.mem = mem = Memory(shape=signed(w), depth=max(depth, 2), init=[])
            rd, wr = mem.read_port(), mem.write_port()
            head = Signal(range(max(depth, 2)))  # address of h2
            rd_ptr = Signal.like(head)
            filled = Signal(range(depth + 1))  # words written since reset
            reading = (phase >= 2) & (phase <= k_max)
            m.d.comb += [rd.addr.eq(rd_ptr),
                         history.eq(Mux(reading & (phase - 2 < filled), rd.data, 0))]
        starting = ~self.busy & self.en
        coef = Signal(signed(coef_w))          # the coefficient ROM (LUTs)
        with m.Switch(Mux(starting, 0, phase)):
            for index, x in enumerate(coefs):
                with m.Case(index):
                    m.d.comb += coef.eq(x)
            with m.Default():                  # the finish clock: no product
                m.d.comb += coef.eq(0)
        m.d.comb += [operand.eq(Mux(starting, self.i_in, Mux(phase == 1, self.v, history))),
                     product.eq(operand * coef)]

        finishing = self.busy & (phase == k_max + 1)
        v1 = Signal(signed(w))
        m.d.comb += v1.eq(saturate(shift_right(acc, p.coef_frac, p.rounding), w))
        with m.If(~self.busy):
            m.d.sync += self.spike.eq(0)
            with m.If(self.en):
                m.d.sync += [acc.eq(product), phase.eq(1), self.busy.eq(1)]
                if depth:
                    m.d.sync += rd_ptr.eq(head)
        with m.Elif(finishing):
            fire = v1 >= p.v_th
            m.d.sync += [self.busy.eq(0), phase.eq(0), self.spike.eq(fire),
                         self.v.eq(Mux(fire, p.v_reset, v1))]
            if depth:
                oldest = Mux(head == 0, depth - 1, head - 1)
                m.d.comb += [wr.addr.eq(oldest), wr.data.eq(self.v), wr.en.eq(1)]
                m.d.sync += [head.eq(oldest), filled.eq(Mux(filled == depth, depth,
                                                            filled + 1))]
        with m.Else():
            m.d.sync += [acc.eq(acc + product), phase.eq(phase + 1)]
            if depth:
                m.d.sync += rd_ptr.eq(Mux(rd_ptr == depth - 1, 0, rd_ptr + 1))
        return m


def run_serial(params: FracLIFParams, i_in, en, rst) -> dict[str, np.ndarray]:
    """Cycle-level model of :class:`FracLIFSerialUnit`, built on the golden step.

    Returns
    -------
    dict of str to numpy.ndarray of int64, shape (C,)
        ``spike``, ``v`` and ``h_read`` after each clock.
    """
    k_max = params.history
    init = initial_state(params, 1)
    i_in = np.asarray(i_in, dtype=np.int64)
    out = {name: np.zeros(i_in.size, dtype=np.int64) for name in ("spike", "v", "h_read")}
    clocks = multicycle_clocks(lambda s, i: step(params, s, i), init, i_in, en, rst,
                               k_max + 2)
    for t, (state, phase, spike) in enumerate(clocks):
        out["spike"][t], out["v"][t] = spike, state.v[0]
        if 2 <= phase <= k_max:
            out["h_read"][t] = state[phase - 1][0]
    return out


HARDWARE = Hardware(
    params_cls=FracLIFParams,
    datapath=FracLIFDatapath,
    variants={"serial": Variant(FracLIFSerialUnit, run_serial, busy=True,
                                summary="history in block RAM, one multiply-accumulate "
                                        "per clock, K + 2 clocks per step (area)",
                                outputs=serial_outputs)},
)
