"""The model list: one line per model file under :mod:`neurocore_hw.models`.

Each listed file declares ``MODEL`` (a :class:`~neurocore_hw.model.Model`). The hardware
side finds a model's hardware in ``rtl_gen/<the same file name>.py``, so this package never
names anything of ``rtl_gen``.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from types import MappingProxyType

from .model import Model, model_of

__all__ = ["MODELS", "MODEL_FILES", "get_model", "model_of", "parameter_names", "resolve_params",
           "with_overrides"]

#: The registered model files, in listing order (a new model is one line here).
MODEL_FILES = (
    "lif",
    "izhikevich",
    "cuba_lif",
    "if_neuron",
    "li",
    "alif",
    "shift_lif",
    "homeostatic_lif",
    "sc_sng",
    "sc_mul",
    "sc_add",
    "sc_decoder",
    "sc_lif",
    "sc_xor_neuron",
    "psu_lif",
    "xylo",
    "exp_lif",
    "adex",
    "coba_lif",
    "frac_lif",
)


def _load(file: str) -> Model:
    return import_module(f"{__package__}.models.{file}").MODEL


#: Registered name -> :class:`~neurocore_hw.model.Model`.
MODELS: Mapping[str, Model] = MappingProxyType({m.name: m for m in map(_load, MODEL_FILES)})


def get_model(name: str) -> Model:
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


def _with(base, overrides: Mapping[tuple[str, ...], object], model: str):
    """``base`` with every (possibly nested: ``("lif", "width")``) field replaced at once."""
    known = base.__dataclass_fields__
    values = {key: getattr(base, key) for key in known}
    inner: dict[str, dict] = {}
    for path, value in overrides.items():
        if path[0] not in known:
            raise ValueError(f"unknown parameter {'.'.join(path)!r} for model {model!r}; "
                             f"parameters: {', '.join(parameter_names(base))}")
        if len(path) == 1:
            values[path[0]] = value
        elif not hasattr(values[path[0]], "__dataclass_fields__"):
            raise ValueError(f"parameter {path[0]!r} of model {model!r} has no fields "
                             f"({'.'.join(path)!r})")
        else:
            inner.setdefault(path[0], {})[path[1:]] = value
    for key, nested in inner.items():
        values[key] = _with(values[key], nested, model)
    return type(base)(**values)


def parameter_names(params) -> list[str]:
    """Every settable parameter of ``params``, nested ones dotted (``lif.width``)."""
    names = []
    for key in params.__dataclass_fields__:
        value = getattr(params, key)
        if hasattr(value, "__dataclass_fields__"):
            names += [f"{key}.{inner}" for inner in parameter_names(value)]
        else:
            names.append(key)
    return names


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
        Field values replacing the preset's (validated by the ``Params`` class); a
        parameter of a held model is named with a dot (``lif.width``).

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
    model = get_model(name)
    preset = model.default_preset if preset is None else preset
    if preset not in model.presets:
        raise ValueError(f"unknown preset {preset!r} for model {name!r}; "
                         f"presets: {', '.join(model.presets)}")
    return with_overrides(name, model.presets[preset], overrides or {})


def with_overrides(name: str, base, overrides: Mapping[str, object]):
    """``base`` (a ``Params`` of model ``name``) with dotted-name ``overrides`` applied and
    validated, as :func:`resolve_params` does for a preset."""
    return _with(base, {tuple(key.split(".")): value for key, value in overrides.items()},
                 name)
