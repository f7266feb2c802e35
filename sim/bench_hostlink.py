"""cocotb bench for the UART host link: input frames in on ``rx``, output frames out of
``tx``, compared with the golden model step by step.

Environment: ``NEUROCORE_HOSTLINK_DATA`` (.npz with ``frames_in`` [S, n_in] and
``frames_out`` [S, n_out] bytes), ``NEUROCORE_HOSTLINK_META`` (JSON: divisor, seed),
``NEUROCORE_HOSTLINK_REPORT`` (JSON written here).
"""

import json
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, RisingEdge


async def send_byte(dut, value: int, divisor: int) -> None:
    """Bit-bang one 8N1 byte on rx."""
    for bit in [0, *((value >> k) & 1 for k in range(8)), 1]:
        dut.rx.value = bit
        await ClockCycles(dut.clk, divisor)


async def receive_byte(dut, divisor: int) -> int:
    """Wait for a start bit on tx and sample the byte at the middle of each bit."""
    await FallingEdge(dut.tx)
    await ClockCycles(dut.clk, divisor + divisor // 2)
    value = 0
    for k in range(8):
        value |= int(dut.tx.value) << k
        await ClockCycles(dut.clk, divisor)
    assert int(dut.tx.value) == 1, "stop bit is 0"
    return value


@cocotb.test()
async def host_link(dut):
    """Every output frame equals the golden model's, byte for byte."""
    meta = json.loads(os.environ["NEUROCORE_HOSTLINK_META"])
    data = np.load(os.environ["NEUROCORE_HOSTLINK_DATA"])
    frames_in, frames_out = data["frames_in"], data["frames_out"]
    divisor = meta["divisor"]
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rx.value = 1
    reset = getattr(dut, meta["reset"])  # "rst" (host link) or "rst_n" (board button)
    active = 1 if meta["reset"] == "rst" else 0
    reset.value = active
    await ClockCycles(dut.clk, 4)
    reset.value = 1 - active
    await ClockCycles(dut.clk, 2 * divisor)
    mismatches, first = 0, None
    for s in range(frames_in.shape[0]):
        got = []

        async def collect(got=got):
            for _ in range(frames_out.shape[1]):
                got.append(await receive_byte(dut, divisor))

        reader = cocotb.start_soon(collect())
        for byte in frames_in[s]:
            await send_byte(dut, int(byte), divisor)
        await reader
        await RisingEdge(dut.clk)
        expected = [int(b) for b in frames_out[s]]
        if got != expected:
            mismatches += 1
            first = first or f"seed {meta['seed']} step {s}: expected {expected}, got {got}"
    if meta["led_active_low"] is not None:  # board top: the LED toggles on every spike
        toggled = int(sum(int(frame[0]) & 1 for frame in frames_out)) & 1
        led = int(dut.led.value)
        if led != toggled ^ int(meta["led_active_low"]):
            mismatches += 1
            first = first or f"LED is {led} after {frames_in.shape[0]} steps"
    with open(os.environ["NEUROCORE_HOSTLINK_REPORT"], "w") as fh:
        json.dump({"steps": int(frames_in.shape[0]), "mismatches": mismatches,
                   "first_mismatch": first}, fh)
