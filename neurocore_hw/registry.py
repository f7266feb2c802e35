"""The one place a neuron model is registered: name -> golden model + hardware class.

The hardware class is named by a ``"module:Class"`` path so that this package never
imports amaranth; :mod:`rtl_gen` resolves it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .models import (
    alif,
    cuba_lif,
    homeostatic_lif,
    if_neuron,
    izhikevich,
    li,
    lif,
    lif_fast,
    sc_add,
    sc_decoder,
    sc_lif,
    sc_mul,
    sc_sng,
    sc_xor_neuron,
    shift_lif,
)

__all__ = ["MODELS", "ModelEntry", "get_model", "model_for_params", "resolve",
           "resolve_params", "check_variant"]


@dataclass(frozen=True)
class ModelEntry:
    """Everything the engine, the RTL generator, the bench and the CLI need of a model.

    Attributes
    ----------
    name : str
        Registered (CLI) name.
    summary : str
        One line for ``neurocore-hw list``.
    params_cls : type
        Frozen ``Params`` dataclass.
    presets : Mapping[str, object]
        Named ``Params`` instances; the first is the default.
    step : callable
        Pure bit-true ``step(params, state, **inputs) -> (state, spike)``.
    initial_state : callable
        ``initial_state(params, n) -> state``.
    kernel : callable
        ``kernel(params, n)`` returning an in-place updater ``(state, spike, **inputs)``.
    hardware : str
        ``"module:Class"`` of the Amaranth datapath component.
    variants : Mapping[str, tuple[str, str]]
        Alternative hardware units: name -> (``"module:Class"`` of a unit component with
        the :class:`~rtl_gen.unit.NeuronUnit` ports, ``"module:function"`` of its
        cycle-level model ``f(params, *inputs, en=, rst=) -> {output: [C]}``).
    pipelined_datapath : str, optional
        ``"module:Class"`` of a pipelined datapath for the population core: the
        datapath's ports, free-running registers, outputs ``latency`` clocks after their
        inputs; constructor ``(params=, levels=)``.
    block_kernel : callable, optional
        ``block_kernel(params, n)`` returning the engine's fast path for a block of ``n``
        neurons, or None where the parameters need the general kernel. The object has
        ``load(state)``, ``store(state)``, ``prepare(**inputs)`` (the state-independent
        input side of a chunk of steps, inputs ``[T, n]``) and ``run(prepared,
        spikes)`` (advance ``T`` steps, writing spike rows into ``spikes [T, n]``).
    """

    name: str
    summary: str
    params_cls: type
    presets: Mapping[str, object]
    step: Callable
    initial_state: Callable
    kernel: Callable
    hardware: str
    variants: Mapping[str, tuple[str, str]] = field(
        default_factory=lambda: MappingProxyType({}))
    block_kernel: Callable | None = None
    pipelined_datapath: str | None = None

    @property
    def default_preset(self) -> str:
        """Name of the default preset (the first one)."""
        return next(iter(self.presets))


MODELS: Mapping[str, ModelEntry] = MappingProxyType({
    "lif": ModelEntry(
        name="lif",
        summary="leaky integrate-and-fire, Q(width, frac), refractory, wrap/saturate",
        params_cls=lif.LIFParams,
        presets=MappingProxyType(lif.PRESETS),
        step=lif.step,
        initial_state=lif.initial_state,
        kernel=lif.LIFKernel,
        block_kernel=lif_fast.block_kernel,
        hardware="rtl_gen.lif:LIFDatapath",
        pipelined_datapath="rtl_gen.lif:LIFPipelinedDatapath",
        variants=MappingProxyType({
            "fast": ("rtl_gen.lif:LIFFastUnit", "neurocore_hw.models.lif:run_registered_input"),
        }),
    ),
    "izhikevich": ModelEntry(
        name="izhikevich",
        summary="Izhikevich 2003, two 0.5 ms half-steps, saturating Q(width, frac)",
        params_cls=izhikevich.IzhikevichParams,
        presets=MappingProxyType(izhikevich.PRESETS),
        step=izhikevich.step,
        initial_state=izhikevich.initial_state,
        kernel=izhikevich.kernel,
        block_kernel=izhikevich.block_kernel,
        hardware="rtl_gen.izhikevich:IzhikevichDatapath",
        pipelined_datapath="rtl_gen.izhikevich:IzhikevichPipelinedDatapath",
        variants=MappingProxyType({
            "two_cycle": ("rtl_gen.izhikevich:IzhikevichTwoCycleUnit",
                          "neurocore_hw.models.izhikevich:run_two_cycle"),
            "pipelined": ("rtl_gen.izhikevich:IzhikevichPipelinedUnit",
                          "rtl_gen.izhikevich:run_pipelined"),
        }),
    ),
    "cuba_lif": ModelEntry(
        name="cuba_lif",
        summary="current-based LIF in Loihi CUBA arithmetic (preset loihi: 24-bit, bit-accurate)",
        params_cls=cuba_lif.CubaLIFParams,
        presets=MappingProxyType(cuba_lif.PRESETS),
        step=cuba_lif.step,
        initial_state=cuba_lif.initial_state,
        kernel=cuba_lif.kernel,
        hardware="rtl_gen.cuba_lif:CubaLIFDatapath",
    ),
    "if": ModelEntry(
        name="if",
        summary="integrate-and-fire, no leak, reset to a value or by subtraction",
        params_cls=if_neuron.IFParams,
        presets=MappingProxyType(if_neuron.PRESETS),
        step=if_neuron.step,
        initial_state=if_neuron.initial_state,
        kernel=if_neuron.kernel,
        hardware="rtl_gen.if_neuron:IFDatapath",
    ),
    "li": ModelEntry(
        name="li",
        summary="leaky integrator, non-spiking (readout), Q(width, frac)",
        params_cls=li.LIParams,
        presets=MappingProxyType(li.PRESETS),
        step=li.step,
        initial_state=li.initial_state,
        kernel=li.kernel,
        hardware="rtl_gen.li:LIDatapath",
    ),
    "alif": ModelEntry(
        name="alif",
        summary="adaptive-threshold LIF (LSNN, Bellec 2018), reset by subtraction",
        params_cls=alif.ALIFParams,
        presets=MappingProxyType(alif.PRESETS),
        step=alif.step,
        initial_state=alif.initial_state,
        kernel=alif.kernel,
        hardware="rtl_gen.alif:ALIFDatapath",
    ),
    "shift_lif": ModelEntry(
        name="shift_lif",
        summary="multiplier-free shift-leak LIF with synaptic current (Xylo-style)",
        params_cls=shift_lif.ShiftLIFParams,
        presets=MappingProxyType(shift_lif.PRESETS),
        step=shift_lif.step,
        initial_state=shift_lif.initial_state,
        kernel=shift_lif.kernel,
        hardware="rtl_gen.shift_lif:ShiftLIFDatapath",
    ),
    "homeostatic_lif": ModelEntry(
        name="homeostatic_lif",
        summary="LIF whose threshold tracks a target rate (EMA), floor and ceiling",
        params_cls=homeostatic_lif.HomeostaticLIFParams,
        presets=MappingProxyType(homeostatic_lif.PRESETS),
        step=homeostatic_lif.step,
        initial_state=homeostatic_lif.initial_state,
        kernel=homeostatic_lif.kernel,
        hardware="rtl_gen.homeostatic_lif:HomeostaticLIFDatapath",
    ),
    "sc_sng": ModelEntry(
        name="sc_sng",
        summary="SNG: bit = random < x, LFSR (8..32 bit, table/mirror taps) or van der Corput",
        params_cls=sc_sng.SNGParams,
        presets=MappingProxyType(sc_sng.PRESETS),
        step=sc_sng.step,
        initial_state=sc_sng.initial_state,
        kernel=sc_sng.kernel,
        hardware="rtl_gen.sc:SNGDatapath",
    ),
    "sc_mul": ModelEntry(
        name="sc_mul",
        summary="SC multiply of two SNG streams: AND (unipolar) or XNOR (bipolar)",
        params_cls=sc_mul.SCMulParams,
        presets=MappingProxyType(sc_mul.PRESETS),
        step=sc_mul.step,
        initial_state=sc_mul.initial_state,
        kernel=sc_mul.kernel,
        hardware="rtl_gen.sc:SCMulDatapath",
    ),
    "sc_add": ModelEntry(
        name="sc_add",
        summary="SC scaled add: MUX of two SNG streams with a p = 1/2 select stream",
        params_cls=sc_add.SCAddParams,
        presets=MappingProxyType(sc_add.PRESETS),
        step=sc_add.step,
        initial_state=sc_add.initial_state,
        kernel=sc_add.kernel,
        hardware="rtl_gen.sc:SCAddDatapath",
    ),
    "sc_decoder": ModelEntry(
        name="sc_decoder",
        summary="counter decoder: ones of a bitstream per 2^n-clock window",
        params_cls=sc_decoder.DecoderParams,
        presets=MappingProxyType(sc_decoder.PRESETS),
        step=sc_decoder.step,
        initial_state=sc_decoder.initial_state,
        kernel=sc_decoder.kernel,
        hardware="rtl_gen.sc:DecoderDatapath",
    ),
    "sc_lif": ModelEntry(
        name="sc_lif",
        summary="stochastic LIF: SNG bit x input_scale into the LIF arithmetic",
        params_cls=sc_lif.SCLIFParams,
        presets=MappingProxyType(sc_lif.PRESETS),
        step=sc_lif.step,
        initial_state=sc_lif.initial_state,
        kernel=sc_lif.kernel,
        hardware="rtl_gen.sc:SCLIFDatapath",
    ),
    "sc_xor_neuron": ModelEntry(
        name="sc_xor_neuron",
        summary="dendritic XOR neuron: two SNG streams, d1 + d2 - 2 d1 d2, LIF",
        params_cls=sc_xor_neuron.XorNeuronParams,
        presets=MappingProxyType(sc_xor_neuron.PRESETS),
        step=sc_xor_neuron.step,
        initial_state=sc_xor_neuron.initial_state,
        kernel=sc_xor_neuron.kernel,
        hardware="rtl_gen.sc:XorNeuronDatapath",
    ),
})


def resolve(path: str):
    """Import ``"module:attribute"`` and return the attribute."""
    import importlib
    module_name, attr = path.split(":")
    return getattr(importlib.import_module(module_name), attr)


def get_model(name: str) -> ModelEntry:
    """Return the registered model ``name``.

    Raises
    ------
    ValueError
        If no model has that name (the message lists the known ones).
    """
    try:
        return MODELS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown model {name!r}; registered models: {', '.join(MODELS)}") from None


def model_for_params(params: object) -> ModelEntry:
    """Return the registered model whose ``Params`` class ``params`` is an instance of."""
    for entry in MODELS.values():
        if isinstance(params, entry.params_cls):
            return entry
    raise TypeError(f"{type(params).__name__} is not the Params of a registered model")


def check_variant(entry: ModelEntry, variant: str | None) -> None:
    """Raise a clear ValueError unless ``variant`` is None or one of the model's."""
    if variant is not None and variant not in entry.variants:
        known = ", ".join(entry.variants) or "none"
        raise ValueError(f"unknown variant {variant!r} for model {entry.name!r}; "
                         f"variants: {known}")


def resolve_params(name: str, preset: str | None = None,
                   overrides: Mapping[str, object] | None = None) -> object:
    """Build validated ``Params`` for model ``name`` from a preset plus overrides.

    Parameters
    ----------
    name : str
        Registered model name.
    preset : str, optional
        Preset name; the model's default preset if omitted.
    overrides : Mapping[str, object], optional
        Field values replacing the preset's (validated by the ``Params`` class).

    Returns
    -------
    object
        The model's ``Params``.

    Raises
    ------
    ValueError
        Unknown preset or parameter name, or a value out of range.
    TypeError
        A value of the wrong type.
    """
    entry = get_model(name)
    preset = entry.default_preset if preset is None else preset
    if preset not in entry.presets:
        raise ValueError(f"unknown preset {preset!r} for model {name!r}; "
                         f"presets: {', '.join(entry.presets)}")
    base = entry.presets[preset]
    overrides = dict(overrides or {})
    known = base.__dataclass_fields__
    for key in overrides:
        if key not in known:
            raise ValueError(f"unknown parameter {key!r} for model {name!r}; "
                             f"parameters: {', '.join(known)}")
    values = {key: getattr(base, key) for key in known}
    values.update(overrides)
    return entry.params_cls(**values)
