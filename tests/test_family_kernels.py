"""The families' block kernels (IF, LI, ALIF, shift-leak LIF, homeostatic LIF, CuBa LIF)
stay bit-identical to each model's pure ``step``: random formats of every width the
kernel takes, random initial states over each register's whole range, full-range and
small inputs, every pair of extreme state and extreme input, block and chunk edges
inside the run; and a kernel with a planted bug fails the same check."""

import numpy as np
import pytest

from neurocore_hw.engine import run
from neurocore_hw.fixed import int_range
from neurocore_hw.models import (
    alif,
    cuba_lif,
    fast_common,
    homeostatic_lif,
    if_neuron,
    li,
    shift_lif,
)

KERNELS = {"if": if_neuron.IFBlockKernel, "li": li.LIBlockKernel,
           "alif": alif.ALIFBlockKernel, "shift_lif": shift_lif.ShiftLIFBlockKernel,
           "homeostatic_lif": homeostatic_lif.HomeostaticLIFBlockKernel,
           "cuba_lif": cuba_lif.CubaLIFBlockKernel}


def _random_params(family: str, rng: np.random.Generator):
    """Valid random parameters, widths 4..30 (int16 and int32 work arrays)."""
    w = int(rng.integers(4, 31))
    lo, hi = int_range(w)

    def val(a, b):
        return int(rng.integers(a, b, endpoint=True))

    rounding = str(rng.choice(["floor", "nearest"]))
    overflow = str(rng.choice(["wrap", "saturate"]))
    if family == "if":
        reset = str(rng.choice(["value", "subtract"]))
        return if_neuron.IFParams(width=w, frac=val(0, w - 1), v_threshold=val(1, hi),
                                  v_reset=val(lo, hi), reset=reset, overflow=overflow)
    if family == "li":
        frac = val(0, w - 1)
        return li.LIParams(width=w, frac=frac, leak_k=val(0, 1 << frac),
                           gain_k=val(lo, hi), rounding=rounding, overflow=overflow)
    if family == "alif":
        frac = val(1, w - 2)
        return alif.ALIFParams(width=w, frac=frac, v_threshold=val(1, hi),
                               leak_k=val(0, 1 << frac), adapt_k=val(0, 1 << frac),
                               beta_k=val(0, hi), jump=val(0, hi), gain_k=val(lo, hi),
                               rounding=rounding)
    if family == "shift_lif":
        return shift_lif.ShiftLIFParams(width=w, frac=val(0, w - 1), dash_syn=val(0, w - 1),
                                        dash_mem=val(0, w - 1), v_threshold=val(1, hi))
    if family == "homeostatic_lif":
        frac = val(0, w - 2)
        th_min = val(1, hi)
        th_max = val(th_min, hi)
        rate_frac = val(4, 16)
        return homeostatic_lif.HomeostaticLIFParams(
            width=w, frac=frac, leak_k=val(0, 1 << frac), gain_k=val(lo, hi),
            v_reset=val(lo, hi), th_init=val(th_min, th_max), th_min=th_min, th_max=th_max,
            rate_frac=rate_frac, rate_shift=val(0, rate_frac), target=val(0, 1 << rate_frac),
            eta_shift=val(0, 12))
    w = int(rng.integers(10, 33))
    in_width = int(rng.integers(2, w - 5))
    vth_hi = ((1 << (w - 1)) - 1) >> 6
    bias_exp = val(0, 4)
    lo, hi = int_range(w)
    return cuba_lif.CubaLIFParams(width=w, in_width=in_width, du=val(0, 4095),
                                  dv=val(0, 4096), vth=int(rng.integers(0, vth_hi + 1)),
                                  bias_mant=val(lo >> bias_exp, hi >> bias_exp) // 8,
                                  bias_exp=bias_exp,
                                  reset=str(rng.choice(["zero", "subtract", "none"])))


def _draw(port, rng, shape):
    lo, hi = int_range(port.width, port.signed)
    wide = rng.integers(lo, hi, shape, endpoint=True)
    small = rng.integers(max(lo, -(1 << port.frac)), min(hi, 1 << (port.frac + 1)), shape,
                         endpoint=True)
    corners = rng.choice(np.array([lo, lo + 1, -1, 0, 1, hi - 1, hi]).clip(lo, hi), shape)
    pick = rng.integers(0, 3, shape[-1])
    return np.where(pick == 0, wide, np.where(pick == 1, small, corners))


def _random_state(params, rng, n):
    entry = params.model
    reset = entry.initial_state(params, n)
    ports = {p.name: p for p in params.state_ports()}
    return type(reset)(*(_draw(ports[f], rng, (n,)) if f in ports else r
                         for f, r in zip(reset._fields, reset)))


def _step_loop(params, inputs, state, steps):
    entry = params.model
    spikes = np.empty((steps, len(state[0])), dtype=bool)
    for t in range(steps):
        state, spikes[t] = entry.step(params, state, **{k: v[t] for k, v in inputs.items()})
    return spikes, state


def _check(params, inputs, state, steps):
    """Engine fast path vs the step loop: every spike and the final state."""
    result = run(params, inputs, state=state)
    spikes, final = _step_loop(params, inputs, state, steps)
    assert np.array_equal(result.spikes, spikes), params
    for name, got, want in zip(final._fields, result.state, final):
        assert np.array_equal(got, want), (name, params)


def _count_runs(monkeypatch, cls) -> list:
    used = []
    real = cls.run

    def counted(self, d, spikes):
        used.append(1)
        real(self, d, spikes)
    monkeypatch.setattr(cls, "run", counted)
    return used


@pytest.mark.parametrize("family", sorted(KERNELS))
def test_block_kernel_on_random_formats_and_states(family, rng, small_blocks, monkeypatch):
    used = _count_runs(monkeypatch, KERNELS[family])
    taken = 0
    dtypes = set()
    for _ in range(30):
        p = _random_params(family, rng)
        if p.model.block_kernel(p, 8) is None:
            continue
        taken += 1
        dtypes.add(next(x.dtype for x in vars(p.model.block_kernel(p, 8)).values()
                        if isinstance(x, np.ndarray)))
        n, steps = 37, 23
        inputs = {q.name: _draw(q, rng, (steps, n)) for q in p.input_ports()}
        _check(p, inputs, _random_state(p, rng, n), steps)
    assert taken >= 12 and len(used) >= taken
    assert len(dtypes) == (1 if family == "cuba_lif" else 2), dtypes


@pytest.mark.parametrize("family", sorted(KERNELS))
def test_block_kernel_at_the_extremes(family, rng):
    """Every combination of extreme state values and extreme inputs, each preset and a
    few random formats: overflow, saturation and the reset at their bounds."""
    entry = KERNELS[family]
    model = next(iter(p.model for p in [_random_params(family, rng)]))
    cases = list(model.presets.values()) + [_random_params(family, rng) for _ in range(6)]
    for p in cases:
        if model.block_kernel(p, 8) is None:
            continue
        ports = list(p.state_ports()) + list(p.input_ports())
        edges = []
        for port in ports:
            lo, hi = int_range(port.width, port.signed)
            edges.append(np.unique(np.array([lo, lo + 1, -1, 0, 1, hi - 1, hi]).clip(lo, hi)))
        grid = [a.ravel() for a in np.meshgrid(*edges)]
        n_state = len(p.state_ports())
        reset = model.initial_state(p, len(grid[0]))
        state = type(reset)(*grid[:n_state])
        inputs = {q.name: np.stack([g, g[::-1], g]) for q, g in zip(p.input_ports(),
                                                                    grid[n_state:])}
        _check(p, inputs, state, 3)
    assert entry is not None


def test_presets_take_their_block_kernels():
    """Every preset of 30 bits or less runs its family's block kernel."""
    for family, cls in KERNELS.items():
        for name, p in next(iter([_random_params(family, np.random.default_rng(0))])
                            ).model.presets.items():
            kernel = p.model.block_kernel(p, 100)
            wide = getattr(p, "width", 16) > 30
            assert (kernel is None) == wide, (family, name)
            if kernel is not None:
                assert isinstance(kernel, cls)


MUTANTS = {
    "no saturation": ("overflow_inplace", lambda real: (
        lambda a, width, mode, consts: None if mode == "saturate"
        else real(a, width, mode, consts))),
    "no sign extension": ("overflow_inplace", lambda real: (
        lambda a, width, mode, consts: None if mode == "wrap"
        else real(a, width, mode, consts))),
    "reset ignored": ("reset_where", lambda real: lambda v, keep, value: None),
    "nearest as floor": ("scaled_into", lambda real: (
        lambda x, k, frac, rounding, out: real(x, k, frac, "floor", out))),
    "subtract ignored": ("subtract_where", lambda real: lambda v, spike, x, tmp: None),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_kernel_check_has_teeth(mutant, rng, small_blocks, monkeypatch):
    """Each planted bug in a shared helper makes some family's check fail."""
    name, wrap = MUTANTS[mutant]
    real = getattr(fast_common, name)
    failed = 0
    for family in sorted(KERNELS):
        module = KERNELS[family].__module__
        import importlib
        mod = importlib.import_module(module)
        if not hasattr(mod, name):
            continue
        with monkeypatch.context() as m:
            m.setattr(mod, name, wrap(real))
            for _ in range(10):
                p = _random_params(family, rng)
                if p.model.block_kernel(p, 8) is None:
                    continue
                inputs = {q.name: _draw(q, rng, (12, 37)) for q in p.input_ports()}
                try:
                    _check(p, inputs, _random_state(p, rng, 37), 12)
                except AssertionError:
                    failed += 1
                    break
    assert failed, mutant


def test_cuba_bounds_have_teeth(rng, small_blocks, monkeypatch):
    """The CuBa kernel skips its range checks only where its bounds allow: a kernel that
    forgets the input in the bound of ``u`` (it then skips wraps that happen) fails."""
    real = cuba_lif.CubaLIFBlockKernel.prepare

    def forgetful(self, a_in):
        out = real(self, a_in)
        self._dmax = 0.0
        return out

    monkeypatch.setattr(cuba_lif.CubaLIFBlockKernel, "prepare", forgetful)
    with pytest.raises(AssertionError):
        for _ in range(30):
            p = _random_params("cuba_lif", rng)
            inputs = {q.name: _draw(q, rng, (23, 37)) for q in p.input_ports()}
            _check(p, inputs, _random_state(p, rng, 37), 23)
