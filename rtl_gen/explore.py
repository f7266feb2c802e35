"""The codesign explorer: sweep number formats, variants, weight widths, FPGA targets and
placement seeds; measure what each point keeps (:mod:`neurocore_hw.codesign`) and what it
costs (Yosys cells, nextpnr Fmax); run it all as content-addressed jobs on Dask
(:mod:`neurocore_hw.sweep`); report JSON, Markdown and a Pareto plot.

A point is a dict of what defines it (``params``); its jobs are a fidelity job (the
golden model against the float reference), one synthesis job per Yosys target and one
place-and-route job per device and seed. A synthesis job's key is the SHA-256 of the
emitted Verilog, the target and the tool versions: the same design is never synthesized
twice, whatever sweep asks for it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from neurocore_hw.sweep import Job, ResultCache, job_key, make_job, run_sweep, source_digest

from .synth import DEVICES, TARGETS

__all__ = ["Point", "explore", "hardware_jobs", "network_points", "neuron_points", "pareto_front",
           "plot_pareto", "pnr_job", "recommend", "render_markdown", "synth_job",
           "tool_salt"]


# -- jobs (run in a child interpreter by neurocore_hw.sweep) -----------------------------
def synth_job(verilog: str, top: str, target: str) -> dict:
    """Yosys cell counts of ``top`` for ``target``."""
    from .synth import synthesize

    r = synthesize(verilog, top, target)
    return {"lut": r.lut, "ff": r.ff, "carry": r.carry, "dsp": r.dsp, "bram": r.bram,
            "latch": r.latch}


def pnr_job(verilog: str, top: str, device: str, seed: int, target_mhz: float = 12.0
            ) -> dict:
    """nextpnr's Fmax of ``top`` on ``device`` with placement ``seed``."""
    from .synth import place_and_route

    r = place_and_route(verilog, top, device, seed=seed, target_mhz=target_mhz)
    return {"fmax_mhz": r.fmax_mhz, "utilization": r.utilization}


_SALT: dict | None = None


def tool_salt() -> dict:
    """Tool versions and :data:`rtl_gen.synth.REPORT_VERSION` (part of every hardware job's
    key)."""
    global _SALT
    if _SALT is None:
        from . import synth
        _SALT = {k: v for k, v in synth.tool_versions().items() if k != "python"}
        # how the tools are run and their reports read is part of the result
        _SALT["report_version"] = synth.REPORT_VERSION
    return _SALT


# -- points -----------------------------------------------------------------------------
@dataclass
class Point:
    """One point of a sweep: what defines it and the jobs that measure it.

    Attributes
    ----------
    params : dict
        The point's definition (JSON-able).
    jobs : dict of str to Job
        ``"fidelity"``, ``"synth:<target>"``, ``"pnr:<device>:<seed>"``.
    cycles_per_step : int or None
        Clocks per neuron update (for throughput), None where not known.
    """

    params: dict
    jobs: dict[str, Job] = field(default_factory=dict)
    cycles_per_step: int | None = 1


def _median(values: Sequence[float]) -> float:
    """The upper median (a measured value, not an average of two)."""
    return sorted(values)[len(values) // 2]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _software_salt() -> dict:
    """Key salt of a fidelity job: the golden models' code version."""
    return {"neurocore_hw": source_digest("neurocore_hw")}


def _emitted(cache: ResultCache | None, desc: dict, make) -> dict:
    """The Verilog texts of a point, from ``cache`` when the point and the code that
    emits it (``rtl_gen`` and ``neurocore_hw`` sources, amaranth) are unchanged."""
    if cache is None:
        return make()
    from importlib.metadata import version

    key = job_key("emit", desc, {"source": source_digest("neurocore_hw", "rtl_gen"),
                                 "amaranth": version("amaranth")})
    hit = cache.get(key)
    if hit is not None and hit.get("status") == "ok":
        return hit["result"]
    texts = make()
    cache.put({"key": key, "label": "emit", "status": "ok", "result": texts, "error": None,
               "seconds": 0.0})
    return texts


def hardware_jobs(point: Point, unit_verilog: str, top: str, harness_verilog: str | None,
                  harness_top: str, targets: Sequence[str], devices: Sequence[str],
                  seeds: int, label: str, target_mhz: float = 12.0) -> None:
    """Add to ``point`` a synthesis job per target (keyed by the unit's Verilog hash) and a
    place-and-route job of the harness per device and seed."""
    salt, digest = tool_salt(), _hash(unit_verilog)
    for target in targets:
        point.jobs[f"synth:{target}"] = make_job(
            "rtl_gen.explore:synth_job", {"verilog": unit_verilog, "top": top,
                                          "target": target},
            key_spec={"verilog_sha256": digest, "top": top, "target": target},
            salt=salt, label=f"{label} synth {target}")
    if harness_verilog is None:
        return
    hdigest = _hash(harness_verilog)
    for device, seed in itertools.product(devices, range(1, seeds + 1)):
        point.jobs[f"pnr:{device}:{seed}"] = make_job(
            "rtl_gen.explore:pnr_job", {"verilog": harness_verilog, "top": harness_top,
                                        "device": device, "seed": seed,
                                        "target_mhz": target_mhz},
            key_spec={"verilog_sha256": hdigest, "top": harness_top, "device": device,
                      "seed": seed, "target_mhz": target_mhz},
            salt=salt, label=f"{label} pnr {device} seed {seed}")


def _check_targets(targets: Sequence[str], devices: Sequence[str]) -> None:
    for t in targets:
        if t not in TARGETS:
            raise ValueError(f"target {t!r} is not one of {', '.join(TARGETS)}")
    for d in devices:
        if d not in DEVICES:
            raise ValueError(f"device {d!r} is not one of {', '.join(DEVICES)}")


def neuron_points(model: str, *, preset: str | None = None, real: dict | None = None,
                  formats: Sequence[str | None] = (None,), variants: Sequence[str | None] = (None,),
                  grid: dict[str, Sequence] | None = None, targets: Sequence[str] = ("ice40",),
                  devices: Sequence[str] = (), seeds: int = 1, fidelity: bool = True,
                  cache: ResultCache | None = None) -> list[Point]:
    """Points for one neuron model: every format x variant x raw-parameter combination.

    Parameters
    ----------
    model, preset : str
        Registered model and its preset (the real model's source).
    real : dict, optional
        Real-unit values replacing the preset's (``{"tau_mem": 20.0}``).
    formats : sequence of str or None
        Formats (``"Q12.6"``); None keeps the preset's.
    variants : sequence of str or None
        Hardware variants (None: the single-cycle unit).
    grid : dict, optional
        Raw integer parameters to sweep too (``{"coef_frac": [12, 16, 20]}``).
    targets, devices : sequence of str
        Yosys targets to synthesize for; nextpnr devices to place and route on.
    seeds : int
        Placement seeds per device.
    fidelity : bool
        Measure the neuron fidelity (families of
        :data:`neurocore_hw.codesign.FIDELITY_MODELS`).
    cache : ResultCache, optional
        Where the emitted Verilog of each point is cached (keyed by the point and the
        code that emits it).

    Raises
    ------
    ValueError
        An unknown target, device, variant or parameter, or a format a point cannot hold.
    """
    from amaranth.back import verilog

    from neurocore_hw.codesign import FIDELITY_MODELS, neuron_params

    from .emit import emit_verilog, top_name
    from .hardware import hardware_for
    from .harness import SerialHarness

    _check_targets(targets, devices)
    grid = grid or {}
    names = list(grid)
    points = []
    for fmt, variant, values in itertools.product(formats, variants,
                                                  itertools.product(*grid.values())):
        raw = dict(zip(names, values))
        params, _ = neuron_params(model, preset=preset, real=real, fmt=fmt, params=raw)
        hw = hardware_for(params)
        if variant is not None and variant not in hw.variants:
            raise ValueError(f"model {model!r} has no variant {variant!r} (variants: "
                             f"{', '.join(hw.variants) or 'none'})")
        desc = {"model": model, "preset": preset, "real": real or {},
                "format": f"Q{params.width}.{params.frac}" if hasattr(params, "frac")
                else None, "variant": variant, "params": raw}
        point = Point(desc, cycles_per_step=None if variant and hw.variants[variant].busy
                      else 1)
        label = f"{model} {desc['format'] or ''} {variant or ''} " + " ".join(
            f"{k}={v}" for k, v in raw.items())
        label = " ".join(label.split())
        if fidelity and model in FIDELITY_MODELS:
            spec = {"model": model, "preset": preset, "real": real or {},
                    "fmt": fmt, "params": raw}
            point.jobs["fidelity"] = make_job("neurocore_hw.codesign:neuron_fidelity", spec,
                                              label=f"{label} fidelity",
                                              salt=_software_salt())

        def make(params=params, variant=variant):
            return {"unit": emit_verilog(params, variant),
                    "harness": verilog.convert(SerialHarness(params=params, variant=variant),
                                               name="harness", emit_src=False)
                    if devices else None}
        texts = _emitted(cache, {"kind": "neuron", **desc, "fmt": fmt,
                                 "harness": bool(devices)}, make)
        hardware_jobs(point, texts["unit"], top_name(model, variant), texts["harness"],
                      "harness", targets, devices, seeds, label)
        points.append(point)
    return points


def network_points(graph: str, *, dt: float, reset: str, weight_widths: Sequence[int],
                   inputs: str, labels: str | None = None, samples: int | None = None,
                   state_width: int = 24, targets: Sequence[str] = ("ice40",),
                   devices: Sequence[str] = (), seeds: int = 1, fidelity: bool = True,
                   cache: ResultCache | None = None) -> list[Point]:
    """Points for a NIR network over weight widths: the core-ready quantization
    (``max_shift=0``, the form the chain of cores runs), its accuracy on ``inputs`` and the
    chain's cost (the chain's Verilog cached in ``cache`` as for :func:`neuron_points`)."""
    from amaranth.back import verilog

    from neurocore_hw.layered import core_layers
    from neurocore_hw.nir import load_graph, quantize_network

    from .chain import CoreChain
    from .core import strip_weight_init
    from .harness import CoreHarness
    from .verify.layered import CHAIN_TOP, emit_chain

    _check_targets(targets, devices)
    spec = load_graph(graph)
    with open(graph, "rb") as fh:
        graph_sha = hashlib.sha256(fh.read()).hexdigest()
    with open(inputs, "rb") as fh:
        inputs_sha = hashlib.sha256(fh.read()).hexdigest()
    points = []
    for bits in weight_widths:
        desc = {"graph": str(graph), "dt": dt, "reset": reset, "weight_width": bits,
                "state_width": state_width}
        point = Point(desc, cycles_per_step=None)
        label = f"network w{bits}"
        if fidelity:
            job_spec = {"graph": str(graph), "dt": dt, "reset": reset, "weight_width": bits,
                        "inputs": str(inputs), "labels": labels, "samples": samples,
                        "state_width": state_width, "max_shift": 0}
            point.jobs["fidelity"] = make_job(
                "neurocore_hw.codesign:network_fidelity", job_spec,
                key_spec={**job_spec, "graph": graph_sha, "inputs": inputs_sha},
                label=f"{label} fidelity", salt=_software_salt())

        def make(bits=bits):
            net = quantize_network(spec, dt=dt, reset=reset, weight_width=bits,
                                   state_width=state_width, max_shift=0)
            harness = None
            if devices:
                cores = core_layers(net)
                chain = CoreChain(layers=[(c.config, c.has_bias) for c in cores])
                harness = strip_weight_init(
                    verilog.convert(CoreHarness(core=chain), name="core_harness",
                                    emit_src=False), cores=len(cores))
            return {"unit": emit_chain(net), "harness": harness}
        texts = _emitted(cache, {"kind": "network", **desc, "graph": graph_sha,
                                 "harness": bool(devices)}, make)
        hardware_jobs(point, texts["unit"], CHAIN_TOP, texts["harness"], "core_harness",
                      targets, devices, seeds, label, target_mhz=30.0)
        points.append(point)
    return points


# -- running and collecting -------------------------------------------------------------
def explore(points: Sequence[Point], *, scheduler: str = "local", workers: int | None = None,
            timeout: float = 900.0, cache: ResultCache | None = None, progress=True,
            on_client=None) -> list[dict]:
    """Run every point's jobs (see :func:`neurocore_hw.sweep.run_sweep`); one result per
    point: ``params``, ``metrics``, ``resources`` per target, ``fmax_mhz`` per device (a
    list over seeds), ``throughput_msteps`` per device (median Fmax / clocks per step),
    ``seconds`` (the point's job time, cached jobs at their first run's), ``cached`` (all
    its jobs from the cache) and ``failures`` (job -> error)."""
    records = run_sweep([job for p in points for job in p.jobs.values()],
                        scheduler=scheduler, workers=workers, timeout=timeout, cache=cache,
                        progress=progress, on_client=on_client)
    results = []
    for p in points:
        out = {"params": p.params, "metrics": None, "resources": {}, "fmax_mhz": {},
               "throughput_msteps": {}, "seconds": 0.0, "cached": True, "failures": {}}
        for role, job in p.jobs.items():
            rec = records[job.key]
            out["seconds"] = round(out["seconds"] + rec["seconds"], 3)
            out["cached"] &= rec["cached"]
            if rec["status"] != "ok":
                out["failures"][role] = f"{rec['status']}: {rec['error']}"
                continue
            kind, _, rest = role.partition(":")
            if kind == "fidelity":
                out["metrics"] = rec["result"]
            elif kind == "synth":
                out["resources"][rest] = rec["result"]
            else:
                device = rest.split(":")[0]
                out["fmax_mhz"].setdefault(device, []).append(rec["result"]["fmax_mhz"])
        for device, values in out["fmax_mhz"].items():
            if p.cycles_per_step:
                out["throughput_msteps"][device] = round(_median(values) / p.cycles_per_step,
                                                         2)
        results.append(out)
    return results


# -- reporting --------------------------------------------------------------------------
def _metric(result: dict, metric: str) -> float | None:
    m = result.get("metrics") or {}
    value = m.get(metric)
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def pareto_front(results: Sequence[dict], metric: str, target: str,
                 cost: str = "lut") -> list[int]:
    """Indices of the points no other point beats: at most the cost on ``target`` and at
    least the ``metric``, better in one (points lacking either are left out)."""
    pts = [(i, r["resources"][target][cost], _metric(r, metric))
           for i, r in enumerate(results)
           if target in r["resources"] and _metric(r, metric) is not None]
    front = []
    for i, c, m in pts:
        if not any((c2 <= c and m2 >= m) and (c2 < c or m2 > m) for _, c2, m2 in pts):
            front.append(i)
    return sorted(front, key=lambda i: results[i]["resources"][target][cost])


def recommend(results: Sequence[dict], metric: str, target: str, goal: float,
              cost: str = "lut") -> int | None:
    """The cheapest point on ``target``'s front whose ``metric`` reaches ``goal`` (None if
    none does)."""
    for i in pareto_front(results, metric, target, cost):
        if _metric(results[i], metric) >= goal:
            return i
    return None


_COST = {"lut": "LUTs", "ff": "flip-flops", "bram": "block RAMs", "dsp": "DSP blocks",
         "carry": "carry cells"}


def _describe(params: dict) -> str:
    if "weight_width" in params:
        return f"{params['weight_width']}-bit weights"
    parts = [params.get("format") or "preset format"]
    if params.get("variant"):
        parts.append(params["variant"])
    parts += [f"{k}={v}" for k, v in params.get("params", {}).items()]
    return " ".join(parts)


def render_markdown(results: Sequence[dict], *, metric: str, goal: float,
                    targets: Sequence[str], devices: Sequence[str] = (),
                    command: str = "", cost: str = "lut") -> str:
    """A Markdown table: one row per point, the front (``metric`` against ``cost``) marked
    ``*`` per target and the recommended point ``**``."""
    fronts = {t: set(pareto_front(results, metric, t, cost)) for t in targets}
    picks = {t: recommend(results, metric, t, goal, cost) for t in targets}
    lines = []
    if command:
        lines += [f"Command: `{command}`", ""]
    head = ["point", metric, "other metrics"] + [f"{t} LUT / FF / BRAM" for t in targets] + \
        [f"{d} MHz" for d in devices] + ["job s", "notes"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, r in enumerate(results):
        m = _metric(r, metric)
        others = ", ".join(f"{k} {v:.4g}" for k, v in (r.get("metrics") or {}).items()
                           if k != metric and isinstance(v, float))
        cells = [_describe(r["params"]), "-" if m is None else f"{m:.4g}", others or "-"]
        for t in targets:
            res = r["resources"].get(t)
            mark = "**" if picks[t] == i else "*" if i in fronts[t] else ""
            cells.append(f"{res['lut']} / {res['ff']} / {res['bram']}{mark}" if res else "-")
        for d in devices:
            values = r["fmax_mhz"].get(d)
            cells.append(f"{_median(values):.1f}" if values else "-")
        cells.append(f"{r['seconds']:.1f}")
        cells.append("; ".join(f"{k} {v}" for k, v in r["failures"].items()) or "")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"`*` on the Pareto front of {metric} against {_COST[cost]} for that "
                 f"target; `**` the recommended point: the cheapest on the front with "
                 f"{metric} >= {goal:g}.")
    for t in targets:
        pick = picks[t]
        lines.append(f"- {t}: " + ("no point reaches the goal" if pick is None else
                                   f"{_describe(results[pick]['params'])}"))
    return "\n".join(lines) + "\n"


def plot_pareto(results: Sequence[dict], path, *, metric: str, goal: float,
                targets: Sequence[str], title: str = "", cost: str = "lut",
                file_format: str | None = None) -> None:
    """``metric`` against ``cost`` (LUTs by default; log scale over decades), one line per
    target through its Pareto front, every point drawn, the front's points ringed and the
    recommended point starred."""
    import matplotlib
    import matplotlib.ticker
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for n, t in enumerate(targets):
        color = f"C{n}"
        pts = [(r["resources"][t][cost], _metric(r, metric)) for r in results
               if t in r["resources"] and _metric(r, metric) is not None]
        if not pts:
            continue
        ax.scatter(*zip(*pts), s=14, color=color, alpha=0.45)
        front = pareto_front(results, metric, t, cost)
        xs = [results[i]["resources"][t][cost] for i in front]
        ys = [_metric(results[i], metric) for i in front]
        ax.plot(xs, ys, "-o", color=color, mfc="none", ms=8, label=f"{t} front")
        if n == 0:  # label the first target's front only: the others sit beside it
            for i in front:
                ax.annotate(_describe(results[i]["params"]),
                            (results[i]["resources"][t][cost], _metric(results[i], metric)),
                            textcoords="offset points", xytext=(-6, 6), fontsize=7,
                            ha="right", color="0.25")
        pick = recommend(results, metric, t, goal, cost)
        if pick is not None:
            ax.plot(results[pick]["resources"][t][cost], _metric(results[pick], metric),
                    "*", color=color, ms=16, mec="k", label=f"{t} recommended")
    ax.axhline(goal, color="0.6", lw=0.8, ls="--")
    costs = [r["resources"][t][cost] for r in results for t in targets
             if t in r["resources"]]
    if costs and min(costs) > 0 and max(costs) / min(costs) > 8:  # decades apart
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel(f"{_COST[cost]} (Yosys)")
    ax.set_ylabel(metric)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110, format=file_format)
    plt.close(fig)


def to_json(results: Sequence[dict]) -> str:
    """The results file's text."""
    return json.dumps({"version": 1, "points": list(results)}, indent=1)
