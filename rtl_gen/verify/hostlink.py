"""Co-simulation of the UART host link (or a whole board top) against the golden model:
random input frames in, every output frame compared byte for byte."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from neurocore_hw.engine import run
from neurocore_hw.hostlink import encode_inputs, encode_outputs
from neurocore_hw.stimulus import make_stimulus

from .. import board as boards
from ..hostlink import hostlink_verilog
from .toolchain import DEFAULT_BUILD_ROOT, build_model, run_bench

__all__ = ["run_hostlink_cosim"]


def run_hostlink_cosim(params, *, steps: int = 200, seed: int = 1, divisor: int = 4,
                       build_root=None, verilog_text: str | None = None,
                       variant: str | None = None, board: str | None = None) -> dict:
    """Run the host-link top level under Verilator: ``steps`` random input frames in,
    every output frame compared byte for byte with the golden model's.

    With ``board``, the whole board top level (:class:`rtl_gen.board.BoardTop`: reset
    synchronizer on the active-low button, ``rx`` synchronizer, LED) is simulated instead,
    at the baud rate that gives ``divisor`` clocks per bit at the board clock, and the
    LED must end in the state the parity of the golden spike count gives.

    Returns
    -------
    dict
        ``steps``, ``mismatches``, ``first_mismatch``, ``passed``.
    """
    meta = {"divisor": divisor, "seed": seed, "reset": "rst", "led_active_low": None}
    if board is None:
        text, top = hostlink_verilog(params, divisor, variant)
    else:
        spec = boards.BOARDS[board]
        text, top = boards.board_verilog(params, board, round(spec.clock_hz / divisor), variant)
        meta.update(reset="rst_n", led_active_low=spec.led_active_low)
    if verilog_text is not None:
        text = verilog_text
    build_dir, _ = build_model(text, top, build_root=build_root or DEFAULT_BUILD_ROOT,
                               extra_waivers=("CASEINCOMPLETE",))
    stim = make_stimulus(params, steps, seed)
    golden = run(params, {k: v[:, None] for k, v in stim.inputs.items()}, record=True)
    names = [p.name for p in params.input_ports()]
    frames_in = np.array([list(encode_inputs(params, **{n: stim.inputs[n][t] for n in names}))
                          for t in range(steps)], dtype=np.uint8)
    frames_out = np.array([list(encode_outputs(
        params, golden.spikes[t, 0], **{k: v[t, 0] for k, v in golden.traces.items()}))
        for t in range(steps)], dtype=np.uint8)
    with tempfile.TemporaryDirectory(prefix="neurocore-hostlink-") as tmp:
        tmp = Path(tmp)
        np.savez(tmp / "frames.npz", frames_in=frames_in, frames_out=frames_out)
        env = {"NEUROCORE_HOSTLINK_DATA": str(tmp / "frames.npz"),
               "NEUROCORE_HOSTLINK_REPORT": str(tmp / "report.json"),
               "NEUROCORE_HOSTLINK_META": json.dumps(meta)}
        result, _ = run_bench(build_dir, top, "bench_hostlink", tmp=tmp, env=env,
                              report=tmp / "report.json", what="host-link co-simulation")
    result["passed"] = result["mismatches"] == 0 and result["steps"] == steps
    return result
