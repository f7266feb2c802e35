"""A population of one registered model driven by integer synaptic sums, batched over
samples: the engine under the layered network and the population core's batched golden
model.

Per step, for every sample ``b`` and neuron ``i``::

    acc   = sum_s x[b, s] W[s, i] + sum_j out[b, j](t - 1) W_rec[j, i]      (exact)
    a_in  = ovf((acc << shift) + bias[i], acc_width)                    (wrap or saturate)
    state, spike = model.step(params, state, input_port=a_in)

The sums are one BLAS product ``[x | previous output | 1] @ [W; W_rec; bias]`` with the
shift (and a float kernel's ``input_scale``) folded into the matrix. A bound on every sum,
``(sum_s |W[s, i]| max|x| + sum_j |W_rec[j, i]| max|out|) << shift + |bias[i]|``, chooses
the arithmetic: float32 below ``2**24``, float64 below ``2**53`` (both exact for
integers), int64 above (Python ints where an int64 could overflow before a saturation);
and it shows where no sum can leave the accumulator's range, so the saturation or wrap is
skipped there. The model's float kernel (``Model.float_kernel``) runs where it has one,
else its in-place integer kernel, over the ``B x n`` neurons flattened.
"""

from __future__ import annotations

import numpy as np

from .fixed import int_range, overflow
from .model import model_of

__all__ = ["BatchPopulation"]


class BatchPopulation:
    """``batch`` copies of an ``n``-neuron population with synapses, stepped together.

    Parameters
    ----------
    params : ModelParams
        A registered model's parameters (one set for all neurons).
    batch : int
        Samples.
    weight : numpy.ndarray of int, shape (n_source, n)
        Synapses from the sources (row ``s``: source ``s``).
    bias : numpy.ndarray of int, shape (n,), optional
        Added after the shift every step.
    rec_weight : numpy.ndarray of int, shape (n, n), optional
        Synapses from the population's own previous output (row ``j``: neuron ``j``).
    shift : int
        Left shift of the sum before the bias.
    acc_width : int
        Bits the input is reduced to.
    acc_overflow : {"wrap", "saturate"}
    input_port : str
        The model input the sum drives (every other input is 0).
    source_max : int
        The largest ``|x|`` a source will carry (1 for spikes).
    spiking : bool, optional
        The output is the spikes (default: ``params.fires``), else the readout register
        (``params.readout``).

    Attributes
    ----------
    source : numpy.ndarray, shape (batch, n_source)
        Write the step's source values here before :meth:`step`.
    dtype : numpy dtype
        The arithmetic the bound chose for the sums.
    fast : object or None
        The float kernel in use.
    in_range : bool
        No sum can leave the accumulator's range (its overflow is skipped).
    """

    def __init__(self, params, batch: int, weight, *, bias=None, rec_weight=None,
                 shift: int = 0, acc_width: int, acc_overflow: str, input_port: str,
                 source_max: int = 1, spiking: bool | None = None):
        model = model_of(params)
        weight = np.asarray(weight, dtype=np.int64)
        n = weight.shape[1]
        bias = np.zeros(n, np.int64) if bias is None else np.asarray(bias, np.int64)
        self.params, self.batch, self.n = params, batch, n
        self.shift, self.acc_width, self.acc_overflow = shift, acc_width, acc_overflow
        self.input_port = input_port
        self.spiking = params.fires if spiking is None else spiking
        self.state = model.initial_state(params, batch * n)
        self.spike = np.zeros(batch * n, dtype=bool)
        lo, hi = int_range(acc_width)
        ports = params.state_ports()
        self._readout = [q.name for q in ports].index(params.readout)
        rec_max = 1 if self.spiking else 1 << (ports[self._readout].width - 1)
        mats = [weight]
        bound = np.abs(weight).sum(axis=0) * source_max
        if rec_weight is not None:
            rec_weight = np.asarray(rec_weight, dtype=np.int64)
            mats.append(rec_weight)
            bound = bound + np.abs(rec_weight).sum(axis=0) * rec_max
        mats.append(bias[None, :])
        bound = (int(bound.max()) << shift) + int(np.abs(bias).max())
        self.in_range = bound <= min(-lo, hi)
        self.fast = None
        if model.float_kernel is not None and (self.in_range or acc_overflow == "saturate"):
            self.fast = model.float_kernel(params, batch * n)
        scale = 1 if self.fast is None else self.fast.input_scale
        top = bound * scale
        self.dtype = (np.float32 if top < 1 << 24 else np.float64 if top < 1 << 53
                      else np.int64 if top < 1 << 63 or acc_overflow == "wrap"
                      else object)  # int64 sums wrap modulo 2**64: exact for a wrap
        self.lo, self.hi = np.array(lo * scale, self.dtype), np.array(hi * scale, self.dtype)
        gain = np.ones(sum(m.shape[0] for m in mats), np.int64) << shift
        gain[-1] = 1  # the bias is added after the shift
        self.matrix = (np.concatenate(mats) * (gain * scale)[:, None]).astype(self.dtype)
        # the product's left operand: source, own previous output, a constant 1
        self.feed = np.zeros((batch, self.matrix.shape[0]), dtype=self.dtype)
        self.feed[:, -1] = 1
        self.sums = np.empty((batch, n), dtype=self.dtype)
        if self.fast is None:
            self.kernel = model.kernel(params, batch * n)
            self.a_in = np.empty((batch, n), dtype=np.int64)
            self.others = {q.name: np.zeros(batch * n, dtype=np.int64)
                           for q in params.input_ports() if q.name != input_port}
        else:
            self.fstate = self.fast.load(self.state)
            self.drive = self.sums.reshape(-1)
        n_src = weight.shape[0]
        self.source = self.feed[:, :n_src]
        self.recurrent = None if rec_weight is None else self.feed[:, n_src:n_src + n]

    def step(self) -> np.ndarray:
        """One timestep from ``self.source``; the output ``[batch, n]`` (a view, valid
        until the next step)."""
        sums = np.matmul(self.feed, self.matrix, out=self.sums)
        if not self.in_range and self.acc_overflow == "saturate":
            sums.clip(self.lo, self.hi, out=sums)
        if self.fast is not None:
            self.fast(self.fstate, self.spike, self.drive)
        else:
            np.copyto(self.a_in, sums, casting="unsafe")
            if not self.in_range and self.acc_overflow == "wrap":
                np.copyto(self.a_in, overflow(self.a_in, self.acc_width, "wrap"))
            self.kernel(self.state, self.spike, **self.others,
                        **{self.input_port: self.a_in.reshape(-1)})
        if self.spiking:
            out = self.spike.reshape(self.batch, self.n)
        elif self.fast is None:
            out = self.state[self._readout].reshape(self.batch, self.n)
        else:  # the float kernel's exact codes, as integers
            out = self.fstate[self._readout].reshape(self.batch, self.n).astype(np.int64)
        if self.recurrent is not None:
            np.copyto(self.recurrent, out, casting="unsafe")
        return out

    def registers(self):
        """The state registers (int64) as ``(name, [batch, n])`` pairs."""
        state = self.state if self.fast is None else self.fast.store(self.fstate)
        return [(f, x.reshape(self.batch, self.n)) for f, x in zip(state._fields, state)]
