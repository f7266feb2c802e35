"""Real-unit models: one real description of a neuron, quantized to any number format.

A model's integer ``Params`` are the hardware's constants: their meaning depends on the
format (``v_threshold = 256`` is 1.0 in ``Q16.8`` but 4.0 in ``Q12.6``). A real model
(:class:`RealModel`, one per family, in the family's own file as ``MODEL.real``) holds what
the user means -- time constants in ms, thresholds in the model's voltage unit, decay
factors, stream lengths -- and :meth:`RealModel.quantize` turns it into ``Params`` for one
:class:`Format`, reporting the error of every constant. :func:`requantize` moves integer
``Params`` to another format by way of the real model they stand for, so a format change
keeps the neuron.

Format spelling: ``Q<width>.<frac>`` -- ``width`` bits in all (sign included), ``frac`` of
them fractional, as the ``width``/``frac`` parameters -- optionally followed by a rounding
and an overflow mode: ``Q12.6``, ``Q12.6,nearest``, ``Q16.8,floor,saturate``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar

import numpy as np

from .fixed import OVERFLOW_MODES, ROUNDING_MODES, QuantizedValue, check_int, quantize

__all__ = ["Format", "RealModel", "leak_of_tau", "leaky_codes", "leaky_reals",
           "parse_real_value", "quantize_code", "real_field", "requantize", "tau_of_leak"]

_TIME_UNITS = {"s": 1000.0, "ms": 1.0, "us": 1e-3}


@dataclass(frozen=True)
class Format:
    """A fixed-point number format ``Q(width, frac)`` with optional rounding and overflow.

    Parameters
    ----------
    width : int
        Bits in all, sign included, 2..32.
    frac : int
        Fractional bits, 0..width-1.
    rounding : {"floor", "nearest"}, optional
        Rounding of the datapath's shifts (None: the model's or preset's own).
    overflow : {"wrap", "saturate"}, optional
        Overflow of the state registers (None: the model's or preset's own).
    """

    width: int
    frac: int
    rounding: str | None = None
    overflow: str | None = None

    def __post_init__(self):
        check_int("width", self.width, 2, 32)
        check_int("frac", self.frac, 0, self.width - 1)
        if self.rounding is not None and self.rounding not in ROUNDING_MODES:
            raise ValueError(f"rounding {self.rounding!r} is not one of "
                             f"{', '.join(ROUNDING_MODES)}")
        if self.overflow is not None and self.overflow not in OVERFLOW_MODES:
            raise ValueError(f"overflow {self.overflow!r} is not one of "
                             f"{', '.join(OVERFLOW_MODES)}")

    @classmethod
    def parse(cls, text: str) -> Format:
        """``Q12.6``, ``Q12.6,nearest``, ``Q16.8,floor,saturate`` (modes in any order).

        Raises
        ------
        ValueError
            Not in that spelling, or a width, frac or mode out of range.
        """
        m = re.fullmatch(r"\s*[Qq](\d+)\.(\d+)((?:\s*,\s*\w+)*)\s*", text)
        if not m:
            raise ValueError(f"format {text!r} is not Q<width>.<frac>[,rounding][,overflow] "
                             "(e.g. Q12.6 or Q16.8,nearest,saturate)")
        modes = {"rounding": None, "overflow": None}
        for word in filter(None, (w.strip() for w in m.group(3).split(","))):
            kind = ("rounding" if word in ROUNDING_MODES
                    else "overflow" if word in OVERFLOW_MODES else None)
            if kind is None:
                raise ValueError(f"format {text!r}: {word!r} is neither a rounding "
                                 f"({', '.join(ROUNDING_MODES)}) nor an overflow mode "
                                 f"({', '.join(OVERFLOW_MODES)})")
            modes[kind] = word
        return cls(int(m.group(1)), int(m.group(2)), **modes)

    def __str__(self) -> str:
        return f"Q{self.width}.{self.frac}" + "".join(
            f",{mode}" for mode in (self.rounding, self.overflow) if mode)

    def settings(self, params) -> dict[str, object]:
        """``width``, ``frac`` and the modes this format sets that ``params`` has."""
        out: dict[str, object] = {"width": self.width, "frac": self.frac}
        for name in ("rounding", "overflow"):
            value = getattr(self, name)
            if value is not None and name in params.__dataclass_fields__:
                out[name] = value
        return out


def real_field(default: float, unit: str, doc: str, *, positive: bool = False,
               minimum: float | None = None):
    """A real parameter: its default, unit (``"ms"`` marks a time) and meaning."""
    return field(default=default, metadata={"unit": unit, "doc": doc, "positive": positive,
                                            "minimum": minimum})


def parse_real_value(name: str, text: str, unit: str) -> float:
    """Parse ``20``, ``20ms``, ``0.02 s`` or ``1.5`` for a parameter in ``unit``.

    A time (unit ``ms``) takes ``s``, ``ms`` or ``us``; any other unit takes its own suffix
    or none.

    Raises
    ------
    ValueError
        Not a number, or a unit that does not fit.
    """
    m = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*", text)
    if not m:
        raise ValueError(f"{name}: cannot read {text!r} as a number")
    value, suffix = float(m.group(1)), m.group(2)
    if not suffix or suffix == unit:
        return value
    if unit == "ms" and suffix in _TIME_UNITS:
        return value * _TIME_UNITS[suffix]
    allowed = ", ".join(_TIME_UNITS) if unit == "ms" else unit or "none"
    raise ValueError(f"{name}: unit {suffix!r} does not fit (this parameter is in "
                     f"{unit or 'no unit'}; suffixes: {allowed})")


def leak_of_tau(tau: float, dt: float) -> float:
    """Per-step decay fraction of ``tau dx/dt = -x`` over ``dt``: ``1 - exp(-dt/tau)``."""
    return -math.expm1(-dt / tau)


def tau_of_leak(leak: float, dt: float) -> float:
    """Inverse of :func:`leak_of_tau` (``inf`` for no leak)."""
    if leak <= 0.0:
        return math.inf
    if leak >= 1.0:
        return 0.0
    return -dt / math.log1p(-leak)


def quantize_code(name: str, real: float, width: int, frac: int, *, signed: bool = True,
                  lo: int | None = None, hi: int | None = None) -> QuantizedValue:
    """:func:`neurocore_hw.fixed.quantize` (nearest), then clamped to ``[lo, hi]`` codes
    (a decay that rounds past its range), with a clear error for a value that cannot fit."""
    q = quantize(name, real, width, frac, signed=signed)
    code = q.value
    if lo is not None:
        code = max(code, lo)
    if hi is not None:
        code = min(code, hi)
    return QuantizedValue(code, q.real, code / (1 << frac) - q.real)


def leaky_codes(fmt: Format, *, tau: float, dt: float, resistance: float
                ) -> dict[str, QuantizedValue]:
    """``leak_k`` and ``gain_k`` of a leaky membrane ``tau dv/dt = -v + R I`` in ``fmt``:
    leak ``1 - exp(-dt/tau)`` in ``0..2**frac``, gain ``R * leak`` (exact for input held
    over a step)."""
    leak = leak_of_tau(tau, dt)
    return {"leak_k": quantize_code("leak_k", leak, fmt.width + 1, fmt.frac, lo=0,
                                    hi=1 << fmt.frac),
            "gain_k": quantize("gain_k", resistance * leak, fmt.width, fmt.frac)}


def leaky_reals(params, dt: float) -> dict[str, float]:
    """Inverse of :func:`leaky_codes`: ``tau_mem`` and ``resistance`` of ``params``'s
    ``leak_k`` and ``gain_k`` at step ``dt``.

    Raises
    ------
    ValueError
        ``leak_k`` of 0 (no leak) or ``2**frac`` (no memory): no finite time constant.
    """
    scale = float(1 << params.frac)
    leak = params.leak_k / scale
    if not 0 < params.leak_k < (1 << params.frac):
        raise ValueError(f"leak_k={params.leak_k} (leak {leak:g} per step) has no finite "
                         "real time constant; set the integers with --param")
    return {"tau_mem": tau_of_leak(leak, dt), "resistance": params.gain_k / scale / leak}


class RealModel:
    """Base of a family's real-unit model (a frozen dataclass of :func:`real_field` s).

    A subclass implements :meth:`codes` (the real-derived integer
    parameters for a format) and :meth:`from_params` (the real model an integer ``Params``
    stands for). Parameters the real model does not cover (seeds, coefficient widths,
    reset modes) come from a base ``Params``: the preset's.
    """

    #: The family's ``Params`` class, set by :class:`neurocore_hw.model.Model`.
    params_cls: ClassVar[type]

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise TypeError(f"{f.name} must be a real number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{f.name} must be finite, got {value}")
            if f.metadata.get("positive") and value <= 0:
                raise ValueError(f"{f.name} must be > 0, got {value}")
            minimum = f.metadata.get("minimum")
            if minimum is not None and value < minimum:
                raise ValueError(f"{f.name} must be >= {minimum}, got {value}")

    @classmethod
    def units(cls) -> dict[str, str]:
        """Each real parameter's unit (``""``: dimensionless or the model's own unit)."""
        return {f.name: f.metadata.get("unit", "") for f in fields(cls)}

    @classmethod
    def docs(cls) -> dict[str, str]:
        """Each real parameter's meaning."""
        return {f.name: f.metadata.get("doc", "") for f in fields(cls)}

    def as_dict(self) -> dict[str, float]:
        """The real parameters by name."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    def with_values(self, **values: Any) -> RealModel:
        """A copy with some real parameters replaced (validated)."""
        unknown = sorted(set(values) - set(self.units()))
        if unknown:
            raise ValueError(f"unknown real parameter {unknown[0]!r} of "
                             f"{type(self).__name__}; real parameters: "
                             f"{', '.join(self.units())}")
        return replace(self, **values)

    def default_format(self, base) -> Format | None:
        """The format of ``base`` (a ``Params`` of this family); None for a family
        without a fixed-point format (the stochastic-computing streams)."""
        return Format(base.width, base.frac)

    def codes(self, fmt: Format | None, base) -> dict[str, object]:
        """Every parameter this real model sets in ``fmt`` (the format's own fields
        included): a :class:`~neurocore_hw.fixed.QuantizedValue` (code, real value,
        error) for each quantized constant, ``(params, errors)`` for a held model, a plain
        value otherwise."""
        raise NotImplementedError

    @classmethod
    def from_params(cls, params) -> RealModel:
        """The real model that integer ``params`` stand for."""
        raise NotImplementedError

    def quantize(self, fmt: Format | None = None, base=None
                 ) -> tuple[Any, dict[str, QuantizedValue]]:
        """``Params`` in ``fmt`` (default: the base's format) and every constant's error.

        Parameters
        ----------
        fmt : Format, optional
            Target format.
        base : Params, optional
            Supplies what the real model does not (default: the family's default preset).

        Raises
        ------
        ValueError
            A constant the format cannot hold, or ``Params`` that reject the result.
        """
        if base is None:
            model = self.params_cls.model
            base = model.presets[model.default_preset]
        if fmt is None:
            fmt = self.default_format(base)
        elif self.default_format(base) is None:
            raise ValueError(f"{type(self).__name__} has no fixed-point format: its "
                             "resolution is its stream length")
        values, errors = {}, {}
        for name, value in self.codes(fmt, base).items():
            if isinstance(value, QuantizedValue):
                values[name], errors[name] = value.value, value
            elif isinstance(value, tuple):  # a held model: (params, errors)
                values[name] = value[0]
                errors.update({f"{name}.{k}": q for k, q in value[1].items()})
            else:
                values[name] = value
        try:
            params = replace(base, **values)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{type(self).__name__} in {fmt}: {exc}") from None
        for name, value in params.constants().items():  # derived constants (Izhikevich)
            if isinstance(value, QuantizedValue):
                errors.setdefault(name, value)
        return params, errors


def requantize(params, fmt: Format) -> tuple[Any, dict[str, QuantizedValue]]:
    """``params`` moved to ``fmt`` through the real model they stand for.

    Raises
    ------
    ValueError
        The family has no real-unit model, or the format cannot hold a constant.
    """
    from .model import model_of

    model = model_of(params)
    if model.real is None:
        raise ValueError(f"model {model.name!r} has no real-unit form; set its integer "
                         "parameters with --param")
    return model.real.from_params(params).quantize(fmt, params)
