"""Pipelined fixed-point arithmetic: values tagged with the clock stage they are valid in.

A :class:`Pipeline` builds a feed-forward datapath from a few operations (add, sum of many
terms, runtime multiply, rounded shift, saturation) and inserts registers so that no
clock stage holds more than ``levels`` adder levels in series. Every value is a
:class:`Staged`: an Amaranth expression, the stage it is valid in (the number of registers
between it and the pipeline inputs) and its combinational depth within that stage.
Operands from different stages are delayed to the later one, so results are exact: the
pipeline computes the same integers as the combinational expression, only later.

Registers are free-running (they load every clock): a caller that presents the inputs in
clock 0 reads a result of stage ``S`` in clock ``S``.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import Const, Module, Mux, Signal, Value, signed

from .arith import csd_digits

__all__ = ["Pipeline", "Staged", "check_levels"]


def check_levels(levels) -> int:
    """Validate a pipeline's adder levels per stage (an integer >= 1) and return it."""
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise ValueError(f"levels must be an integer >= 1, got {levels!r}")
    return levels


@dataclass(frozen=True)
class Staged:
    """A value in a pipeline.

    Attributes
    ----------
    value : amaranth.hdl.Value
        The expression (signed).
    stage : int or None
        Clock stage the value is valid in; ``None`` for a constant (valid in every stage).
    depth : int
        Adder levels in series since the last register.
    lo, hi : int
        Bounds of the value over all inputs (interval arithmetic); a register is exactly
        as wide as they require, so no carry chain is longer than the numbers it adds.
    """

    value: Value
    stage: int | None
    depth: int
    lo: int
    hi: int


def _width(lo: int, hi: int) -> int:
    """Bits of the narrowest signed type holding ``[lo, hi]``."""
    return max(lo.bit_length() if lo >= 0 else (-lo - 1).bit_length(),
               hi.bit_length() if hi >= 0 else (-hi - 1).bit_length()) + 1


Term = tuple[Staged, int]  # (value, sign +1 / -1)


class Pipeline:
    """Builder of a pipelined datapath inside module ``m``.

    Parameters
    ----------
    m : amaranth.hdl.Module or None
        Module receiving the registers (``sync`` domain) and nothing else; ``None`` for a
        dry run that only works out the stages.
    levels : int
        Keyword-only; maximum adder levels (an adder, a comparator or a rounding add) in
        series in one clock stage. A runtime multiply takes a stage of its own.
    name : str
        Keyword-only; prefix of register names in the generated Verilog.
    """

    def __init__(self, m: Module | None, *, levels: int, name: str):
        self.m, self.levels = m, check_levels(levels)
        self.name = name
        self._delayed: dict[tuple[int, int], tuple[Staged, Staged]] = {}
        self.registers = 0

    # --- values -------------------------------------------------------------------------
    @staticmethod
    def input(value: Value, lo: int | None = None, hi: int | None = None) -> Staged:
        """A pipeline input, valid in stage 0, with the range of its shape unless given."""
        shape = value.shape()
        full_lo = -(1 << (shape.width - 1)) if shape.signed else 0
        full_hi = (1 << (shape.width - (1 if shape.signed else 0))) - 1
        lo = full_lo if lo is None else lo
        hi = full_hi if hi is None else hi
        if not full_lo <= lo <= hi <= full_hi:
            raise ValueError(f"bounds [{lo}, {hi}] outside the input's range "
                             f"[{full_lo}, {full_hi}]")
        return Staged(value, 0, 0, lo, hi)

    @staticmethod
    def const(k: int) -> Staged:
        """An elaboration-time constant."""
        return Staged(Const(k, signed(_width(k, k))), None, 0, k, k)

    def register(self, x: Staged) -> Staged:
        """``x`` one stage later, at depth 0 (constants are returned unchanged)."""
        if x.stage is None:
            return x
        key = (id(x.value), x.stage)
        if key in self._delayed:
            return self._delayed[key][1]
        name = f"{self.name}_s{x.stage + 1}_{self.registers}"
        reg = Signal(signed(_width(x.lo, x.hi)), name=name)
        self.registers += 1
        if self.m is not None:
            self.m.d.sync += reg.eq(x.value)
        out = Staged(reg, x.stage + 1, 0, x.lo, x.hi)
        self._delayed[key] = (x, out)  # keeps x alive, so its id is not reused
        return out

    def delay(self, x: Staged, stage: int) -> Staged:
        """``x`` in ``stage`` (registered as often as needed; never moves a value earlier)."""
        if x.stage is None or x.stage == stage:
            return x
        if x.stage > stage:
            raise ValueError(f"cannot move a stage-{x.stage} value back to stage {stage}")
        while x.stage < stage:
            x = self.register(x)
        return x

    def _operands(self, xs: list[Staged], cost: int) -> tuple[list[Staged], int]:
        """Align ``xs`` to one stage with room for ``cost`` more levels; return them and it."""
        stages = [x.stage for x in xs if x.stage is not None]
        stage = max(stages, default=0)
        xs = [self.delay(x, stage) for x in xs]
        if max(x.depth for x in xs) + cost > self.levels:
            stage += 1
            xs = [self.delay(x, stage) for x in xs]
        return xs, stage

    # --- operations -----------------------------------------------------------------------
    def add(self, a: Staged, b: Staged, *, subtract: bool = False) -> Staged:
        """``a + b`` (or ``a - b``): one adder level."""
        if a.stage is None and b.stage is None:
            raise ValueError("adding two constants: fold them at elaboration time")
        (a, b), stage = self._operands([a, b], 1)
        if subtract:
            value, lo, hi = a.value - b.value, a.lo - b.hi, a.hi - b.lo
        else:
            value, lo, hi = a.value + b.value, a.lo + b.lo, a.hi + b.hi
        return Staged(value, stage, max(a.depth, b.depth) + 1, lo, hi)

    def mul(self, a: Staged, b: Staged) -> Staged:
        """Runtime product ``a * b``, exact; takes the rest of its stage (a DSP block)."""
        (a, b), stage = self._operands([a, b], self.levels)
        corners = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        return Staged(a.value * b.value, stage, self.levels, min(corners), max(corners))

    def sum(self, terms: list[Term]) -> Staged:
        """Exact sum of signed terms as an adder tree, earliest-ready operands first.

        Constants are folded into one term. Operands that become ready late (deep or in a
        later stage) join the tree last, so they pass through the fewest adders.
        """
        const = sum(sign * x.value.value for x, sign in terms if x.stage is None)
        pending = [(x, sign) for x, sign in terms if x.stage is not None]
        if not pending:
            raise ValueError("a sum needs at least one non-constant term")
        if const:
            pending.append((self.const(const), 1))

        def ready(entry):  # (stage, depth, then insertion order): deterministic
            x = entry[1][0]
            return (-1 if x.stage is None else x.stage, x.depth, entry[0])

        queue = list(enumerate(pending))
        order = len(queue)
        while len(queue) > 1:
            queue.sort(key=ready)
            (_, (x, sx)), (_, (y, sy)) = queue[0], queue[1]
            if sx == sy:
                item = (self.add(x, y), sx)
            elif sx > 0:
                item = (self.add(x, y, subtract=True), 1)
            else:
                item = (self.add(y, x, subtract=True), 1)
            queue = queue[2:] + [(order, item)]
            order += 1
        x, sign = queue[0][1]
        if sign < 0:
            x = self.add(self.const(0), x, subtract=True)
        return x

    @staticmethod
    def shift_left(x: Staged, shift: int) -> Staged:
        """``x << shift`` (wiring only)."""
        return Staged(x.value << shift, x.stage, x.depth, x.lo << shift, x.hi << shift)

    @staticmethod
    def floor_shift(x: Staged, shift: int) -> Staged:
        """Arithmetic ``x >> shift`` rounding toward minus infinity (wiring only)."""
        return Staged(x.value >> shift, x.stage, x.depth, x.lo >> shift, x.hi >> shift)

    def scaled_sum(self, terms: list[Term], shift: int, rounding: str) -> Staged:
        """``sum(terms) >> shift`` with ``"floor"`` or ``"nearest"`` rounding, one tree.

        Equals :func:`neurocore_hw.fixed.shift_right` of the exact sum: for nearest the
        half LSB joins the tree as a constant term.
        """
        if rounding == "nearest" and shift > 0:
            terms = [*terms, (self.const(1 << (shift - 1)), 1)]
        return self.floor_shift(self.sum(terms), shift)

    @staticmethod
    def const_mul_terms(x: Staged, k: int) -> list[Term]:
        """The terms of ``x * k`` in canonical signed-digit form, for :meth:`sum`."""
        return [(Pipeline.shift_left(x, shift), sign) for shift, sign in csd_digits(k)]

    def saturate(self, x: Staged, width: int) -> Staged:
        """Clamp to the signed ``width``-bit range (comparators and a mux: one level).

        Free when the bounds show that ``x`` always fits.
        """
        lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
        if lo <= x.lo and x.hi <= hi:
            return Staged(x.value[:width].as_signed(), x.stage, x.depth, x.lo, x.hi)
        (x,), stage = self._operands([x], 1)
        value = Mux(x.value > hi, hi, Mux(x.value < lo, lo, x.value))[:width].as_signed()
        return Staged(value, stage, x.depth + 1, min(max(x.lo, lo), hi), max(min(x.hi, hi), lo))

    def align(self, xs: list[Staged]) -> tuple[list[Staged], int]:
        """Delay ``xs`` to the latest stage among them; return them and that stage."""
        stage = max(x.stage for x in xs if x.stage is not None)
        return [self.delay(x, stage) for x in xs], stage
