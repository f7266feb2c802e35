"""Current-based LIF (CuBa): synaptic current ``u`` and membrane ``v``, each with its own
decay, in the integer arithmetic of the published bit-accurate Loihi CUBA neuron.

One step, per neuron (``W = width``, unity ``4096``; ``decay`` rounds toward zero)::

    decay(x, d) = sign(x) * ((|x| * (4096 - d)) >> 12)
    u = decay(u, du + 1) + (a_in << 6)
    u = u - 2**W  if u > 2**(W-1);   u = u + 2**W  if u <= -2**(W-1)     (wrap)
    v = clip(decay(v, dv) + u + (bias_mant << bias_exp), -(2**(W-1) - 1), 2**(W-1) - 1)
    if v > (vth << 6): spike; v = 0 (reset "zero") or v - (vth << 6) ("subtract")

With ``reset = "none"`` the neuron never spikes and ``v`` is never reset: a readout (NIR's
``CubaLI``), whose output in a network is ``v``.

The new ``u`` feeds ``v`` in the same step. After the wrap ``u`` lies in
``[-(2**(W-1) - 1), 2**(W-1)]``: the top value is reachable, so the ``u`` register is
``W + 1`` bits. With ``W = 24`` (preset ``loihi``) this is the Loihi model as published
(Lava's ``PyLifModelBitAcc``: ``ds_offset = 1``, ``dm_offset = 0``, activation and
threshold shifts of 6).

Real-unit constructors cover the two conventions users bring: :meth:`CubaLIFParams.
from_norse` (``tau_syn_inv``, ``tau_mem_inv``, ``v_th`` with ``v_leak = v_reset = 0``) and
:meth:`CubaLIFParams.from_decays` (snnTorch/spyx ``alpha`` and ``beta`` decay factors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import QuantizedValue, check_choice, check_int, int_range
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, leak_of_tau, quantize_code, real_field, tau_of_leak

__all__ = ["MODEL", "PRESETS", "RESETS", "CubaLIFBlockKernel", "CubaLIFFloatKernel",
           "CubaLIFKernel", "block_kernel",
           "CubaLIFParams", "CubaLIFReal", "CubaLIFState", "decay", "reference", "step"]

UNITY = 4096
RESETS = ("zero", "subtract", "none")
DECAY_SHIFT = 12
ACT_SHIFT = 6
VTH_SHIFT = 6


@dataclass(frozen=True)
class CubaLIFParams(ModelParams):
    """Validated integer parameters of the CuBa LIF neuron.

    Parameters
    ----------
    width : int
        ``W``: bits of ``v`` (``u`` has ``W + 1``), 10..32; 24 is Loihi's.
    in_width : int
        Bits of the signed input ``a_in`` (the weighted spike sum), 2..``W - 6``.
    du : int
        Current decay, ``0..4095`` of 4096 (plus the fixed offset of 1).
    dv : int
        Voltage decay, ``0..4096`` of 4096.
    vth : int
        Threshold mantissa: a spike when ``v > vth << 6``; ``0 <= vth << 6 < 2**(W-1)``.
    bias_mant, bias_exp : int
        Constant drive ``bias_mant << bias_exp``; ``bias_exp`` 0..16 and the product within
        the ``W``-bit range.
    reset : {"zero", "subtract", "none"}
        After a spike ``v`` becomes 0 (Loihi's) or drops by the threshold; ``"none"``: a
        readout that never spikes (``vth`` unused).
    """

    width: int = 24
    in_width: int = 16
    du: int = 410
    dv: int = 205
    vth: int = 100
    bias_mant: int = 0
    bias_exp: int = 0
    reset: str = "zero"

    def __post_init__(self):
        check_int("width", self.width, 10, 32)
        check_int("in_width", self.in_width, 2, self.width - ACT_SHIFT)
        check_int("du", self.du, 0, UNITY - 1)
        check_int("dv", self.dv, 0, UNITY)
        check_int("vth", self.vth, 0, ((1 << (self.width - 1)) - 1) >> VTH_SHIFT)
        check_int("bias_exp", self.bias_exp, 0, 16)
        lo, hi = int_range(self.width)
        check_int("bias_mant", self.bias_mant, lo >> self.bias_exp, hi >> self.bias_exp)
        check_choice("reset", self.reset, RESETS)

    @property
    def bias(self) -> int:
        """The constant drive ``bias_mant << bias_exp``."""
        return self.bias_mant << self.bias_exp

    @property
    def fires(self) -> bool:
        """False for the readout (``reset="none"``)."""
        return self.reset != "none"

    @property
    def readout(self) -> str:
        """A readout's output is its membrane ``v``."""
        return "v"

    @property
    def threshold(self) -> int:
        """The spike threshold ``vth << 6`` (a spike when ``v`` is above it)."""
        return self.vth << VTH_SHIFT

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input port ``a_in``: signed ``in_width`` bits (integer units)."""
        return (PortSpec("a_in", self.in_width, True, 0),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State: ``u`` (signed ``W + 1`` bits) and ``v`` (signed ``W`` bits), reset 0.

        Both count in units of ``a_in / 64`` (``frac`` 6 relative to the input).
        """
        return (PortSpec("u", self.width + 1, True, ACT_SHIFT, 0),
                PortSpec("v", self.width, True, ACT_SHIFT, 0))

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """A realistic ``a_in`` range: enough drive to cross the threshold now and then."""
        hi = min((1 << (self.in_width - 1)) - 1, max(4, self.vth * self.du // UNITY + 8))
        return {"a_in": (-hi // 4, hi)}

    @classmethod
    def from_decays(cls, alpha: float, beta: float, *, v_th: float, scale: int = 64,
                    width: int = 24, in_width: int = 16) -> CubaLIFParams:
        """From snnTorch/spyx-style decay factors.

        snnTorch ``Synaptic``: ``syn = alpha syn + x``, ``mem = beta mem + syn``, spike when
        ``mem > v_th`` (reset to zero). Here ``du + 1 = 4096 (1 - alpha)``, ``dv = 4096 (1 -
        beta)``; an input ``x`` is ``a_in = round(x * scale)``, so ``vth = round(v_th *
        scale)`` (``u`` and ``v`` count ``1 / (64 scale)``).

        Raises
        ------
        ValueError
            If a factor is outside ``[0, 1]`` or the quantized values do not fit.
        """
        for name, value in (("alpha", alpha), ("beta", beta)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if not v_th > 0 or scale < 1:
            raise ValueError(f"v_th must be > 0 and scale >= 1, got {v_th}, {scale}")
        du = max(0, round(UNITY * (1.0 - alpha)) - 1)
        dv = round(UNITY * (1.0 - beta))
        return cls(width=width, in_width=in_width, du=du, dv=dv, vth=round(v_th * scale))

    @classmethod
    def from_norse(cls, tau_syn_inv: float, tau_mem_inv: float, v_th: float, *,
                   dt: float = 1e-3, scale: int = 64, width: int = 24,
                   in_width: int = 16) -> CubaLIFParams:
        """From Norse ``LIFParameters`` (``v_leak = v_reset = 0``).

        Norse: ``i -= dt tau_syn_inv i``; ``v += dt tau_mem_inv (i - v)``; input jumps
        ``i += x``. With ``w = v / (dt tau_mem_inv)`` the membrane is ``w = (1 - dt
        tau_mem_inv) w + i``, Loihi's form; so ``du + 1 = 4096 dt tau_syn_inv``, ``dv = 4096
        dt tau_mem_inv`` and the threshold in ``w`` units is ``v_th / (dt tau_mem_inv)``.
        Norse integrates the membrane with the current *before* the decay and jump; that
        one-step ordering difference is not modelled.

        Raises
        ------
        ValueError
            If a rate is not positive or ``dt * rate > 1``.
        """
        for name, rate in (("tau_syn_inv", tau_syn_inv), ("tau_mem_inv", tau_mem_inv)):
            if not 0.0 < rate * dt <= 1.0:
                raise ValueError(f"{name} * dt must be in (0, 1], got {rate * dt}")
        return cls.from_decays(1.0 - dt * tau_syn_inv, 1.0 - dt * tau_mem_inv,
                               v_th=v_th / (dt * tau_mem_inv), scale=scale, width=width,
                               in_width=in_width)


class CubaLIFState(NamedTuple):
    """CuBa LIF state: current ``u`` and membrane ``v`` (int64 arrays)."""

    u: np.ndarray
    v: np.ndarray


def decay(x, d: int):
    """``sign(x) * ((|x| * (4096 - d)) >> 12)``: multiply by ``1 - d/4096``, toward zero."""
    x = np.asarray(x, dtype=np.int64)
    return np.sign(x) * ((np.abs(x) * (UNITY - d)) >> DECAY_SHIFT)


def step(params: CubaLIFParams, state: CubaLIFState, a_in=0
         ) -> tuple[CubaLIFState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL (and to Loihi at ``W = 24``).

    Parameters
    ----------
    params : CubaLIFParams
        Integer parameters.
    state : CubaLIFState
        Current state.
    a_in : int or numpy.ndarray of int
        Input (weighted spike sum), signed ``in_width`` bits.

    Returns
    -------
    state : CubaLIFState
    spike : numpy.ndarray of bool
    """
    half = 1 << (params.width - 1)
    u = decay(state.u, params.du + 1) + (np.asarray(a_in, dtype=np.int64) << ACT_SHIFT)
    u = np.where(u > half, u - 2 * half, np.where(u <= -half, u + 2 * half, u))
    v = np.clip(decay(state.v, params.dv) + u + params.bias, 1 - half, half - 1)
    spike = (v > params.threshold) & params.fires
    after = v - params.threshold if params.reset == "subtract" else 0
    return CubaLIFState(u, np.where(spike, after, v)), spike


class CubaLIFKernel:
    """In-place CuBa LIF update for the engine and the layered network: no allocation per
    step and no masked ufuncs (NumPy's ``where=`` costs ~25x a plain pass), bit-identical
    to :func:`step` (the contract suite holds them equal).

    ``decay`` is ``trunc(x * (k / 4096))`` in float64, exact: ``k / 4096`` is a dyadic
    fraction and ``|x k| < 2**53`` (``|x| <= 2**32``), so the product is the exact rational
    ``x k / 4096`` and ``trunc`` rounds it toward zero as the step does (3 passes instead
    of 5 integer ones: 16 % of the kernel at 38,000 neurons); the current's wrap is the
    modular
    ``((u + half - 1) & (2 half - 1)) - (half - 1)``, equal to the step's one conditional
    correction because ``|decay(u) + (a_in << 6)| < 2 half`` (``in_width <= width - 6``).

    Parameters
    ----------
    params : CubaLIFParams
    n : int
        Neurons; scratch buffers are sized once.
    """

    def __init__(self, params: CubaLIFParams, n: int):
        self.p = params
        self._a = np.empty(n, dtype=np.int64)
        self._b = np.empty(n, dtype=np.int64)
        self._f = np.empty(n, dtype=np.float64)
        self._half = 1 << (params.width - 1)
        self._lo = np.array(1 - self._half, dtype=np.int64)  # 0-d bounds: ndarray.clip is
        self._hi = np.array(self._half - 1, dtype=np.int64)  # ~9x faster than np.clip(int)

    def _decay(self, x: np.ndarray, d: int, out: np.ndarray) -> None:
        f = self._f
        np.multiply(x, (UNITY - d) / UNITY, out=f)
        np.trunc(f, out=f)
        np.copyto(out, f, casting="unsafe")

    def __call__(self, state: CubaLIFState, spike: np.ndarray, a_in) -> None:
        """Update ``state`` (int64 arrays) and ``spike`` (bool) in place."""
        p, a, b, half = self.p, self._a, self._b, self._half
        self._decay(state.u, p.du + 1, a)
        np.left_shift(a_in, ACT_SHIFT, out=b, casting="unsafe")
        a += b
        a += half - 1
        a &= 2 * half - 1
        np.subtract(a, half - 1, out=state.u)
        self._decay(state.v, p.dv, a)
        a += state.u
        if p.bias:
            a += p.bias
        a.clip(self._lo, self._hi, out=state.v)
        if p.reset == "none":
            spike.fill(False)
        else:
            np.greater(state.v, p.threshold, out=spike)
        if p.reset == "subtract":
            np.multiply(spike, p.threshold, out=b)
            np.subtract(state.v, b, out=state.v)
        elif p.reset == "zero":
            np.logical_not(spike, out=spike)
            np.multiply(state.v, spike, out=state.v)
            np.logical_not(spike, out=spike)


def _fire(p: CubaLIFParams, v: np.ndarray, spike: np.ndarray, t: np.ndarray) -> None:
    """The float kernels' spike and reset: ``spike = v > threshold`` (never for a
    readout), then ``v`` to 0 or down by the threshold where it fired (``t`` scratch)."""
    if p.reset == "none":
        spike.fill(False)
        return
    np.greater(v, p.threshold, out=spike)
    np.multiply(spike, float(p.threshold) if p.reset == "subtract" else v, out=t)
    v -= t


class CubaLIFFloatKernel:
    """The CuBa LIF step on float64 arrays holding the integer codes exactly: the layered
    network's fast path (no int64 round trips, the input times 64 taken straight from its
    weight product).

    Exact because every value is an integer of magnitude below ``2**33`` and every
    product ``x (4096 - d)`` stays below ``2**45 < 2**53``: ``trunc(x (4096 - d) / 4096)``
    in float64 is the step's decay toward zero. The current's wrap and the membrane's
    clip are applied only when a maximum or minimum finds a value out of range (one
    conditional correction each, as in :func:`step`). The contract suite holds it equal
    to :func:`step` from registers at their extremes.

    Parameters
    ----------
    params : CubaLIFParams
    n : int
        Neurons; scratch buffers are sized once.

    Attributes
    ----------
    input_scale : int
        The kernel's ``drive`` is ``a_in * 64`` (``a_in << 6``).
    """

    input_scale = 1 << ACT_SHIFT

    def __init__(self, params: CubaLIFParams, n: int):
        self.p = params
        self._t = np.empty(n, dtype=np.float64)
        self._half = float(1 << (params.width - 1))
        self._vmax = self._half - 1  # the membrane's clip: [-vmax, vmax]
        self._ku = (UNITY - params.du - 1) / UNITY
        self._kv = (UNITY - params.dv) / UNITY

    @staticmethod
    def load(state: CubaLIFState) -> CubaLIFState:
        """Float64 copies of an integer state."""
        return CubaLIFState(*(np.asarray(x, dtype=np.float64).copy() for x in state))

    @staticmethod
    def store(fstate: CubaLIFState) -> CubaLIFState:
        """The integer (int64) state of a float one."""
        return CubaLIFState(*(x.astype(np.int64) for x in fstate))

    def __call__(self, fstate: CubaLIFState, spike: np.ndarray, drive) -> None:
        """Update ``fstate`` (float64 arrays) and ``spike`` (bool) in place; ``drive`` is
        ``a_in * 64`` with ``a_in`` in the ``in_width``-bit range."""
        p, t, half = self.p, self._t, self._half
        u, v = fstate
        np.multiply(u, self._ku, out=u)
        np.trunc(u, out=u)
        u += drive
        if u.max() > half or u.min() <= -half:  # |u| < 2 half: one correction
            u[u > half] -= 2 * half
            u[u <= -half] += 2 * half
        np.multiply(v, self._kv, out=v)
        np.trunc(v, out=v)
        v += u
        if p.bias:
            v += p.bias
        if v.max() > self._vmax or v.min() < -self._vmax:
            np.clip(v, -self._vmax, self._vmax, out=v)
        _fire(p, v, spike, t)


class CubaLIFBlockKernel:
    """The engine's CuBa LIF fast path: the arithmetic of :class:`CubaLIFFloatKernel`
    (state in float64 arrays holding the integer codes exactly) on a block of neurons,
    the input times 64 prepared for a chunk of steps, and the range checks skipped where
    a bound proves them idle.

    The float kernel finds a wrap of ``u`` or a clip of ``v`` with a maximum and a minimum
    per step (four passes of the ten). Here scalar bounds ride along instead:
    ``|trunc(x k)| <= floor(B k)`` for ``|x| <= B``, so ``|u| <= floor(B_u ku) + D`` (``D``
    the chunk's largest ``|64 a_in|``) and ``|v| <= floor(B_v kv) + B_u + |bias|`` (a reset
    only moves ``v`` toward 0). While a bound stays inside the range, that step's check
    cannot fire and is skipped; otherwise the check runs, as in the float kernel, and its
    maximum and minimum tighten the bound again.

    Parameters
    ----------
    params : CubaLIFParams
    n : int
        Neurons in the block.
    """

    def __init__(self, params: CubaLIFParams, n: int):
        self.p = params
        self._fstate: CubaLIFState | None = None
        self._t = np.empty(n, dtype=np.float64)
        self._buf = np.empty((0, n), dtype=np.float64)
        self._half = float(1 << (params.width - 1))
        self._vmax = self._half - 1
        self._ku = (UNITY - params.du - 1) / UNITY
        self._kv = (UNITY - params.dv) / UNITY
        self._bounds = (self._half, self._vmax)
        self._dmax = 0.0

    def load(self, state: CubaLIFState) -> None:
        """Take the state into float64 arrays; the bounds from its extremes."""
        self._fstate = CubaLIFFloatKernel.load(state)
        self._bounds = tuple(float(np.abs(x).max()) if x.size else 0.0
                             for x in self._fstate)

    def store(self, state: CubaLIFState) -> None:
        """Write the state back (exact integers)."""
        for given, mine in zip(state, self._fstate):
            np.copyto(given, mine, casting="unsafe")

    def prepare(self, a_in: np.ndarray) -> np.ndarray:
        """The chunk's drive ``a_in * 64``, ``[T, n]`` float64; its largest magnitude."""
        if len(self._buf) < len(a_in):
            self._buf = np.empty(a_in.shape, dtype=np.float64)
        out = self._buf[:len(a_in)]
        np.multiply(a_in, float(1 << ACT_SHIFT), out=out)
        self._dmax = float(max(-int(a_in.min()), int(a_in.max()), 0) << ACT_SHIFT)
        return out

    def run(self, d: np.ndarray, spikes: np.ndarray) -> None:
        """Advance ``len(d)`` steps; each step's spikes go into a row of ``spikes``."""
        p, t, half, vmax = self.p, self._t, self._half, self._vmax
        u, v = self._fstate
        ku, kv, dmax, bias = self._ku, self._kv, self._dmax, float(p.bias)
        bu, bv = self._bounds
        floor = math.floor
        for k in range(len(d)):
            np.multiply(u, ku, out=u)
            np.trunc(u, out=u)
            u += d[k]
            bu = floor(bu * ku) + dmax
            if bu >= half:  # a wrap is possible: check, as the float kernel does
                hi, lo = float(u.max()), float(u.min())
                if hi > half or lo <= -half:
                    u[u > half] -= 2 * half
                    u[u <= -half] += 2 * half
                    hi, lo = float(u.max()), float(u.min())
                bu = max(hi, -lo)
            np.multiply(v, kv, out=v)
            np.trunc(v, out=v)
            v += u
            if bias:
                v += bias
            bv = floor(bv * kv) + bu + abs(bias)
            if bv > vmax:
                hi, lo = float(v.max()), float(v.min())
                if hi > vmax or lo < -vmax:
                    np.clip(v, -vmax, vmax, out=v)
                    hi, lo = min(hi, vmax), max(lo, -vmax)
                bv = max(hi, -lo)
            _fire(p, v, spikes[k], t)
        self._bounds = (bu, bv)


def block_kernel(params: CubaLIFParams, n: int) -> CubaLIFBlockKernel:
    """:class:`CubaLIFBlockKernel` (every width: the float kernel is exact up to 32)."""
    return CubaLIFBlockKernel(params, n)


def reference(params: CubaLIFParams, a_in) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float64 ideal dynamics: exact decays, no rounding, wrap or clip.

    ``u = (1 - (du + 1)/4096) u + 64 a_in``; ``v = (1 - dv/4096) v + u + bias``; spike
    when ``v > vth * 64``, then ``v = 0`` (or ``v - vth * 64``; never with reset "none").

    Parameters
    ----------
    params : CubaLIFParams
        Parameters.
    a_in : array_like of float, shape (T, N)
        Input per step.

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    u, v : numpy.ndarray of float64, shape (T, N)
    """
    a_in = np.atleast_2d(np.asarray(a_in, dtype=np.float64))
    t_steps, n = a_in.shape
    ku, kv = 1.0 - (params.du + 1) / UNITY, 1.0 - params.dv / UNITY
    u, v = np.zeros(n), np.zeros(n)
    spikes = np.zeros((t_steps, n), dtype=bool)
    u_tr, v_tr = np.empty((t_steps, n)), np.empty((t_steps, n))
    for t in range(t_steps):
        u = ku * u + a_in[t] * (1 << ACT_SHIFT)
        v = kv * v + u + params.bias
        fired = (v > params.threshold) & params.fires
        v = np.where(fired, v - params.threshold if params.reset == "subtract" else 0.0, v)
        spikes[t], u_tr[t], v_tr[t] = fired, u, v
    return spikes, u_tr, v_tr


#: ``loihi``: the published 24-bit Loihi CUBA neuron (du 410 ~ tau_u 10 steps, dv 205 ~
#: tau_v 20 steps, the defaults); ``loihi_bias``: the same driven by a constant bias
#: instead of input (a pacemaker); ``w16``: a 16-bit core with 10-bit inputs;
#: ``w16_subtract``: the same, reset by subtraction (snnTorch's ``reset_mechanism="subtract"``);
#: ``w16_readout``: the same as a readout that never spikes (NIR's ``CubaLI``).
@dataclass(frozen=True)
class CubaLIFReal(RealModel):
    """The CuBa LIF in real units (snnTorch ``Synaptic``: ``syn = alpha syn + x``, ``mem =
    beta mem + syn``, with ``alpha = exp(-dt/tau_syn)``, ``beta = exp(-dt/tau_mem)``).

    The format ``Q(width, frac)``: ``width`` is the register width ``W``; an input of
    real value ``x`` is ``a_in = round(x 2**frac)``, so ``vth = round(v_threshold
    2**frac)``; ``du + 1 = round(4096 (1 - alpha))``, ``dv = round(4096 (1 - beta))``;
    ``bias`` (per step, input units) is ``bias_mant << bias_exp`` in ``v``'s units of
    ``2**-(frac + 6)``.
    """

    tau_syn: float = real_field(10.0, "ms", "synaptic time constant", positive=True)
    tau_mem: float = real_field(20.0, "ms", "membrane time constant", positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    v_threshold: float = real_field(1.5, "x", "threshold, in input units", minimum=0.0)
    bias: float = real_field(0.0, "x", "constant drive per step, in input units")

    def default_format(self, base) -> Format:
        """``Q(W, 6)``: inputs in 1/64 (the default of :meth:`CubaLIFParams.from_decays`)."""
        return Format(base.width, 6)

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """``du``, ``dv``, ``vth``, ``bias_mant`` and ``bias_exp`` for ``fmt``; the error of
        ``du`` is of ``du / 4096`` against ``1 - alpha - 1/4096``, of ``bias_mant``
        against ``bias`` in input units."""
        leak_u = leak_of_tau(self.tau_syn, self.dt) - 1.0 / UNITY
        du = quantize_code("du", leak_u, 14, DECAY_SHIFT, signed=False, lo=0, hi=UNITY - 1)
        dv = quantize_code("dv", leak_of_tau(self.tau_mem, self.dt), 14, DECAY_SHIFT,
                           signed=False, lo=0, hi=UNITY)
        vth_hi = ((1 << (fmt.width - 1)) - 1) >> VTH_SHIFT
        vth = quantize_code("vth", self.v_threshold, 62, fmt.frac, signed=False)
        if vth.value > vth_hi:
            raise ValueError(f"v_threshold={self.v_threshold} does not fit Q{fmt.width}."
                             f"{fmt.frac}: at most {vth_hi / (1 << fmt.frac)}")
        unit = float(1 << (fmt.frac + ACT_SHIFT))  # v counts 1/unit input units
        lo, hi = int_range(fmt.width)
        exp = 0
        while exp < 16 and not lo >> exp <= round(self.bias * unit / (1 << exp)) <= hi >> exp:
            exp += 1
        mant = round(self.bias * unit / (1 << exp))
        bias = QuantizedValue(mant, self.bias, (mant << exp) / unit - self.bias)
        return {"width": fmt.width, "du": du, "dv": dv, "vth": vth, "bias_mant": bias,
                "bias_exp": exp}

    @classmethod
    def from_params(cls, params: CubaLIFParams, dt: float = 1.0, frac: int = 6
                    ) -> CubaLIFReal:
        """The real CuBa LIF ``params`` stand for (inputs in ``2**-frac``), step ``dt``."""
        if params.dv in (0, UNITY) or params.du == UNITY - 1:
            raise ValueError("a decay of 0 or 1 has no finite real time constant; set the "
                             "integers with --param")
        return cls(tau_syn=tau_of_leak((params.du + 1) / UNITY, dt),
                   tau_mem=tau_of_leak(params.dv / UNITY, dt), dt=dt,
                   v_threshold=params.vth / (1 << frac),
                   bias=params.bias / (1 << (frac + ACT_SHIFT)))


PRESETS: dict[str, CubaLIFParams] = {
    "loihi": CubaLIFParams(),
    "loihi_bias": CubaLIFParams(du=4095, dv=40, vth=2000, bias_mant=1000, bias_exp=3),
    "w16": CubaLIFParams(width=16, in_width=10, du=1024, dv=512, vth=40),
    "w16_subtract": CubaLIFParams(width=16, in_width=10, du=1024, dv=512, vth=40,
                                  reset="subtract"),
    "w16_readout": CubaLIFParams(width=16, in_width=10, du=1024, dv=512, vth=40,
                                 reset="none"),
}

MODEL = Model(
    name="cuba_lif",
    summary="current-based LIF in Loihi CUBA arithmetic (preset loihi: 24-bit, bit-accurate)",
    params_cls=CubaLIFParams,
    state_cls=CubaLIFState,
    presets=PRESETS,
    step=step,
    reference=reference,
    kernel=CubaLIFKernel,
    block_kernel=block_kernel,
    float_kernel=CubaLIFFloatKernel,
    real=CubaLIFReal,
)
