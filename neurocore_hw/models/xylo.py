"""Xylo IAF neuron, bit for bit the arithmetic of SynSense's XyloSim (``xylosim`` 0.1.3,
``XyloIAFNeuron``, the simulator Rockpool 3.1 uses for Xylo).

Number format: ``syn``, ``v``, ``bias`` and ``v_threshold`` are signed ``width``-bit
integers (16 on the chip); ``frac`` only labels their scale. ``sat`` clamps to ``width``
bits, ``wrap`` wraps to them. With ``decay(x, s) = x >> s`` (floor), but 1 where that is 0
and ``x > 0`` (a nonzero value always moves at least one LSB toward 0), one step is::

    syn = sat(syn + i_in)                          (the step's synaptic input)
    syn = syn - decay(syn, dash_syn)               (then the decay)
    dv  = sat(wrap(-decay(v, dash_mem)) + syn)     (the decayed current drives v)
    dv  = sat(dv + bias)
    v   = sat(v + dv)
    count = min(max_spikes, v // v_threshold) if v >= v_threshold else 0
    v   = v - count * v_threshold                  (reset by subtraction, per spike)

``count`` is a state register (unsigned, ``max_spikes.bit_length()`` bits, reset 0): the
number of spikes of the step, which XyloSim buffers for delivery in the next step; the
unit's ``spike`` is ``count > 0``. XyloSim lets a hidden neuron spike up to 31 times per
step and an output neuron once (``max_spikes``).

Input: ``i_in`` is signed ``width + 4`` bits, added with one saturating add. XyloSim adds
each input event (an int8 weight shifted left by the layer's weight shift) with its own
saturating add, in channel order; events of one sign saturate the same either way, so the
unit equals XyloSim whenever a step's events share a sign -- always for one input channel,
whose up to 15 events per step are copies of one weight (at most ``15 * 2**(width-1)`` in
all, hence the 4 extra bits).

XyloSim's corners are kept: the decay of ``v`` is negated in ``width`` bits, so with
``dash_mem = 0`` and ``v = -2**(width-1)`` the negation wraps (to ``-2**(width-1)``); the
membrane increment saturates before it is added (two saturations). Differences of
parameter domain: XyloSim takes any int16 threshold (<= 0 makes its spike loop run to
``max_spikes``); here ``v_threshold`` >= 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import check_int, int_range, quantize, saturate, wrap
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, real_field
from .shift_lif import ShiftLIFReal, dash_of_tau, decay_step

__all__ = ["MODEL", "PRESETS", "XyloParams", "XyloReal", "XyloState", "decay", "reference",
           "step"]

#: Largest number of spikes per step XyloSim gives a hidden neuron (an output neuron: 1).
MAX_SPIKES = 31
#: Extra bits of ``i_in`` over ``width``: up to 15 events per channel and step.
INPUT_EXTRA_BITS = 4


@dataclass(frozen=True)
class XyloParams(ModelParams):
    """Validated integer parameters of the Xylo IAF neuron.

    Parameters
    ----------
    width : int
        Width of ``syn``, ``v``, ``bias`` and ``v_threshold`` (16 on Xylo), 4..32.
    frac : int
        Fractional bits (scale label for real units), 0..width-1.
    dash_syn, dash_mem : int
        Decay shifts (4 bits on Xylo): a decay factor of ``1 - 2**-dash``, 0..width-1.
    v_threshold : int
        Threshold, 1..2**(width-1)-1.
    bias : int
        Added to the membrane increment each step, signed ``width`` bits.
    max_spikes : int
        Spikes per step at most: 31 for a hidden neuron, 1 for an output neuron; 1..31.
    """

    width: int = 16
    frac: int = 0
    dash_syn: int = 2
    dash_mem: int = 4
    v_threshold: int = 4096
    bias: int = 0
    max_spikes: int = MAX_SPIKES

    def __post_init__(self):
        check_int("width", self.width, 4, 32)
        check_int("frac", self.frac, 0, self.width - 1)
        check_int("dash_syn", self.dash_syn, 0, self.width - 1)
        check_int("dash_mem", self.dash_mem, 0, self.width - 1)
        check_int("v_threshold", self.v_threshold, 1, int_range(self.width)[1])
        check_int("bias", self.bias, *int_range(self.width))
        check_int("max_spikes", self.max_spikes, 1, MAX_SPIKES)

    @property
    def input_width(self) -> int:
        """Width of ``i_in``: ``width + 4``."""
        return self.width + INPUT_EXTRA_BITS

    @property
    def count_width(self) -> int:
        """Width of the ``count`` register: ``max_spikes.bit_length()``."""
        return self.max_spikes.bit_length()

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``width + 4`` bits."""
        return (PortSpec("i_in", self.input_width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State ``syn`` and ``v`` (signed ``width`` bits) and ``count`` (unsigned), all
        reset 0."""
        return (PortSpec("syn", self.width, True, self.frac, 0),
                PortSpec("v", self.width, True, self.frac, 0),
                PortSpec("count", self.count_width, False, 0, 0))

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """About a tenth of the threshold per step, mostly excitatory."""
        hi = max(4, self.v_threshold >> (self.dash_syn + 2))
        return {"i_in": (-hi // 4, hi)}

    def state_limits(self) -> dict[str, tuple[int, int]]:
        """``count`` reaches ``max_spikes`` at most."""
        return {"count": (0, self.max_spikes)}


class XyloState(NamedTuple):
    """Xylo neuron state: ``syn``, ``v`` and the step's spike ``count`` (int64 arrays)."""

    syn: np.ndarray
    v: np.ndarray
    count: np.ndarray


#: XyloSim's decay, the same as shift_lif's: ``x >> shift`` (floor), but 1 where that is 0
#: and ``x > 0``.
decay = decay_step


def step(params: XyloParams, state: XyloState, i_in=0) -> tuple[XyloState, np.ndarray]:
    """Advance every neuron one step, bit for bit XyloSim's ``XyloIAFNeuron::evolve``.

    Parameters
    ----------
    params : XyloParams
    state : XyloState
    i_in : int or numpy.ndarray of int
        The step's synaptic input, signed ``width + 4`` bits.

    Returns
    -------
    state : XyloState
    spike : numpy.ndarray of bool
        ``count > 0``.
    """
    p, w = params, params.width
    syn = saturate(np.asarray(state.syn, np.int64) + np.asarray(i_in, np.int64), w)
    syn = syn - decay(syn, p.dash_syn)
    v = np.asarray(state.v, np.int64)
    dv = saturate(wrap(-decay(v, p.dash_mem), w) + syn, w)
    dv = saturate(dv + p.bias, w)
    v = saturate(v + dv, w)
    count = np.where(v >= p.v_threshold, np.minimum(p.max_spikes, v // p.v_threshold), 0)
    return XyloState(syn, v - count * p.v_threshold, count), count > 0


def reference(params: XyloParams, i_in) -> tuple[np.ndarray, np.ndarray]:
    """Float64 ideal dynamics: exact decay factors ``1 - 2**-dash``, no rounding, no
    saturation, the same spike count rule.

    Returns
    -------
    spikes : numpy.ndarray of int, shape (T, N)
        Spikes per step.
    v : numpy.ndarray of float64, shape (T, N)
    """
    p = params
    ks, km = 1.0 - 2.0 ** -p.dash_syn, 1.0 - 2.0 ** -p.dash_mem
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    syn, v = np.zeros(i_in.shape[1]), np.zeros(i_in.shape[1])
    spikes = np.zeros(i_in.shape, dtype=np.int64)
    trace = np.empty(i_in.shape)
    for t in range(i_in.shape[0]):
        syn = ks * (syn + i_in[t])
        v = km * v + syn + p.bias
        count = np.where(v >= p.v_threshold,
                         np.minimum(p.max_spikes, np.floor(v / p.v_threshold)), 0)
        v = v - count * p.v_threshold
        spikes[t], trace[t] = count, v
    return spikes, trace


@dataclass(frozen=True)
class XyloReal(RealModel):
    """The Xylo neuron in real units: two time constants, a threshold and a bias (the
    time constants held are near powers of two times ``dt``, as for ``shift_lif``)."""

    tau_syn: float = real_field(4.0, "ms", "synaptic time constant", positive=True)
    tau_mem: float = real_field(16.0, "ms", "membrane time constant", positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    v_threshold: float = real_field(4096.0, "v", "firing threshold")
    bias: float = real_field(0.0, "v", "membrane bias per step")

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """``dash_syn``, ``dash_mem``, ``v_threshold`` and ``bias`` in ``fmt``."""
        return {**fmt.settings(base),
                "dash_syn": dash_of_tau(self.tau_syn, self.dt, fmt.width),
                "dash_mem": dash_of_tau(self.tau_mem, self.dt, fmt.width),
                "v_threshold": quantize("v_threshold", self.v_threshold, fmt.width, fmt.frac),
                "bias": quantize("bias", self.bias, fmt.width, fmt.frac)}

    @classmethod
    def from_params(cls, params: XyloParams, dt: float = 1.0) -> XyloReal:
        """The real Xylo neuron ``params`` stand for, at step ``dt`` ms."""
        if min(params.dash_syn, params.dash_mem) == 0:
            raise ValueError("a shift of 0 (no memory) has no finite real time constant; "
                             "set the integers with --param")
        scale = 1 << params.frac
        return cls(tau_syn=ShiftLIFReal.tau_of(params.dash_syn, dt),
                   tau_mem=ShiftLIFReal.tau_of(params.dash_mem, dt), dt=dt,
                   v_threshold=params.v_threshold / scale, bias=params.bias / scale)


#: ``hidden``: Xylo's defaults for a hidden neuron (up to 31 spikes per step);
#: ``output``: an output neuron (one spike per step); ``bias``: a hidden neuron with a
#: negative bias and slow decays; ``narrow8``: 8 bits.
PRESETS: dict[str, XyloParams] = {
    "hidden": XyloParams(),
    "output": XyloParams(max_spikes=1),
    "bias": XyloParams(dash_syn=3, dash_mem=6, v_threshold=1000, bias=-20),
    "narrow8": XyloParams(width=8, dash_syn=1, dash_mem=3, v_threshold=40, bias=1,
                          max_spikes=7),
}

MODEL = Model(
    name="xylo",
    summary="Xylo IAF neuron, bit-exact to SynSense XyloSim (multi-spike, bias)",
    params_cls=XyloParams,
    state_cls=XyloState,
    presets=PRESETS,
    step=step,
    reference=reference,
    real=XyloReal,
)
