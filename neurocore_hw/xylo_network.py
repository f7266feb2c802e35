"""A Xylo network: XyloSim's synapse semantics around :mod:`~neurocore_hw.models.xylo`
neurons, the golden model of a network quantized for SynSense Xylo.

Xylo's shape: input channels -> hidden neurons (with recurrent synapses) -> output
neurons, each synapse an int8 weight; per synapse group one left shift (``shift_in``,
``shift_rec``, ``shift_out``). Spikes are counts: an input channel carries up to 15 events
per step, a hidden neuron emits up to 31, an output neuron 1. One step, as XyloSim's
``XyloLayer::evolve`` (xylosim 0.1.3)::

    for each input channel c in order, each of its min(x[c], 15) events:
        syn_hidden = sat(syn_hidden + (w_in[c] << shift_in))       per event, saturating
    for each hidden neuron i in order, each of its last step's spikes:
        syn_hidden = sat(syn_hidden + (w_rec[i] << shift_rec))
        syn_output = sat(syn_output + (w_out[i] << shift_out))
    hidden: xylo.step (i_in = 0); output: xylo.step (one spike at most)

so a hidden neuron's spikes reach the recurrent synapses and the output neurons in the
next step. Every add saturates on its own, in this order: with weights of both signs the
order matters at the rails, and this model keeps it (``docs/conformance.md``: equal to
XyloSim). Consecutive events of one channel or neuron share a sign, so they are applied as
one saturating add of their sum. Everything is batched over samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .fixed import check_int, saturate
from .models.xylo import MAX_SPIKES, XyloParams, XyloState, step
from .network import MIN_NEURONS, CoreConfig

__all__ = ["MAX_INPUT_EVENTS", "XyloNetwork", "XyloRun"]

#: Events an input channel delivers per step at most (XyloSim clips the rest).
MAX_INPUT_EVENTS = 15
#: Largest synapse shift (an int8 weight shifted by 8 still fits 16 bits).
MAX_SHIFT = 8


def _int8(name: str, w, shape: tuple[int, ...] | None = None) -> np.ndarray:
    w = np.asarray(w)
    if w.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integer, got {w.dtype}")
    if w.ndim != 2 or (shape is not None and w.shape != shape):
        raise ValueError(f"{name} has shape {w.shape}, expected {shape or '2-D'}")
    if w.size and (w.min() < -128 or w.max() > 127):
        raise ValueError(f"{name} outside the int8 range [-128, 127]")
    return w.astype(np.int64)


@dataclass
class XyloRun:
    """What :meth:`XyloNetwork.run` returns.

    Attributes
    ----------
    hidden, output : numpy.ndarray of int64, shape (T, B, n)
        Spike counts per step.
    traces : dict of str to numpy.ndarray
        With ``record``: ``hidden_syn``, ``hidden_v``, ``output_syn``, ``output_v``, each
        ``[T, B, n]``, after every step.
    """

    hidden: np.ndarray
    output: np.ndarray
    traces: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class XyloNetwork:
    """Input -> hidden (recurrent) -> output with Xylo's synapses.

    Parameters
    ----------
    w_in : numpy.ndarray of int, shape (n_in, n_hidden)
        int8 weights, row = input channel (Xylo's orientation: pre, post).
    w_rec : numpy.ndarray of int, shape (n_hidden, n_hidden)
        int8 recurrent weights (zeros: none).
    w_out : numpy.ndarray of int, shape (n_hidden, n_output)
        int8 weights from hidden to output neurons.
    hidden, output : XyloParams
        The neurons of each population (``output.max_spikes`` must be 1, as on Xylo).
    shift_in, shift_rec, shift_out : int
        Left shift of each synapse group's weights, 0..8.
    """

    w_in: np.ndarray
    w_rec: np.ndarray
    w_out: np.ndarray
    hidden: XyloParams
    output: XyloParams
    shift_in: int = 0
    shift_rec: int = 0
    shift_out: int = 0

    def __post_init__(self):
        for name in ("hidden", "output"):
            if not isinstance(getattr(self, name), XyloParams):
                raise TypeError(f"{name} must be XyloParams")
        if self.hidden.width != 16 or self.output.width != 16:
            raise ValueError("Xylo's neurons are 16 bits wide (width=16)")
        if self.hidden.max_spikes != MAX_SPIKES or self.output.max_spikes != 1:
            raise ValueError(f"Xylo's hidden neurons spike up to {MAX_SPIKES} times per step "
                             "(max_spikes=31), its output neurons once (max_spikes=1)")
        w_in = _int8("w_in", self.w_in)
        n = w_in.shape[1]
        object.__setattr__(self, "w_in", w_in)
        object.__setattr__(self, "w_rec", _int8("w_rec", self.w_rec, (n, n)))
        object.__setattr__(self, "w_out", _int8("w_out", self.w_out))
        if self.w_out.shape[0] != n:
            raise ValueError(f"w_out has {self.w_out.shape[0]} rows, expected {n} (hidden)")
        for name in ("shift_in", "shift_rec", "shift_out"):
            check_int(name, getattr(self, name), 0, MAX_SHIFT)

    def cores(self, *, time_width: int = 16) -> list[tuple[CoreConfig, np.ndarray]]:
        """The network as two population cores with Xylo's synapses, for
        :class:`rtl_gen.chain.CoreChain` (which runs them last first, so the hidden
        spikes reach the output neurons a timestep later).

        A population below the core's minimum of ``MIN_NEURONS`` neurons is padded with
        neurons that nothing drives and that drive nothing; their output events (indexes
        past the real outputs) are to be ignored.

        Returns
        -------
        list of (CoreConfig, numpy.ndarray)
            The hidden core (inputs, then recurrent rows) and the output core, each with
            its ``rows x neurons`` weights.
        """
        n_in, n_hid, n_out = self.shape
        h, o = max(n_hid, MIN_NEURONS), max(n_out, MIN_NEURONS)
        w_in = np.zeros((n_in, h), np.int64)
        w_in[:, :n_hid] = self.w_in
        w_rec = np.zeros((h, h), np.int64)
        w_rec[:n_hid, :n_hid] = self.w_rec
        w_out = np.zeros((h, o), np.int64)
        w_out[:n_hid, :n_out] = self.w_out
        recurrent = bool(self.w_rec.any())
        hidden = CoreConfig(params=self.hidden, neurons=h, inputs=n_in, recurrent=recurrent,
                            acc_overflow="saturate", time_width=time_width,
                            synapses="xylo", weight_shift=self.shift_in,
                            recurrent_shift=self.shift_rec if recurrent else 0)
        output = CoreConfig(params=self.output, neurons=o, inputs=h, acc_overflow="saturate",
                            time_width=time_width, synapses="xylo",
                            weight_shift=self.shift_out)
        return [(hidden, np.vstack([w_in, w_rec]) if recurrent else w_in), (output, w_out)]

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(n_in, n_hidden, n_output)``."""
        return self.w_in.shape[0], self.w_in.shape[1], self.w_out.shape[1]

    def run(self, x, *, record: bool = False) -> XyloRun:
        """Run the network from rest.

        Parameters
        ----------
        x : array of int, shape (T, B, n_in) or (T, n_in)
            Input events per step and channel (>= 0; above 15 clipped, as XyloSim does).
        record : bool
            Keep the neurons' ``syn`` and ``v`` after every step.

        Returns
        -------
        XyloRun
        """
        x = np.asarray(x)
        if x.ndim == 2:
            x = x[:, None, :]
        n_in, n_hid, n_out = self.shape
        if x.ndim != 3 or x.shape[2] != n_in:
            raise ValueError(f"input has shape {x.shape}; the network takes [T, B, {n_in}]")
        if x.dtype.kind not in "iub" or (x.size and x.min() < 0):
            raise ValueError("input must be non-negative integer event counts")
        steps, batch = x.shape[:2]
        counts = np.minimum(x.astype(np.int64), MAX_INPUT_EVENTS)
        w_in = self.w_in << self.shift_in
        w_rec = self.w_rec << self.shift_rec
        w_out = self.w_out << self.shift_out
        zeros = [np.zeros((batch, k), np.int64) for k in (n_hid, n_hid, n_hid)]
        hid = XyloState(*zeros)
        out = XyloState(*(np.zeros((batch, n_out), np.int64) for _ in range(3)))
        run = XyloRun(np.zeros((steps, batch, n_hid), np.int64),
                      np.zeros((steps, batch, n_out), np.int64))
        if record:
            run.traces = {k: np.zeros((steps, batch, n), np.int64) for k, n in
                          (("hidden_syn", n_hid), ("hidden_v", n_hid),
                           ("output_syn", n_out), ("output_v", n_out))}
        for t in range(steps):
            syn_h, syn_o = hid.syn, out.syn
            for c in range(n_in):  # input events, channel by channel
                syn_h = saturate(syn_h + counts[t, :, c, None] * w_in[c], 16)
            last = hid.count  # the hidden spikes of the last step, neuron by neuron
            for i in range(n_hid):
                syn_h = saturate(syn_h + last[:, i, None] * w_rec[i], 16)
                syn_o = saturate(syn_o + last[:, i, None] * w_out[i], 16)
            hid, _ = step(self.hidden, hid._replace(syn=syn_h))
            out, _ = step(self.output, out._replace(syn=syn_o))
            run.hidden[t], run.output[t] = hid.count, out.count
            if record:
                for pop, st in (("hidden", hid), ("output", out)):
                    run.traces[f"{pop}_syn"][t] = st.syn
                    run.traces[f"{pop}_v"][t] = st.v
        return run
