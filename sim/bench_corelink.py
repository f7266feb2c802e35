"""cocotb bench for the core link (a population core behind the UART): transactions of
command bytes in on ``rx``, each reply read from ``tx`` and compared with the golden
model's bytes.

Environment: ``NEUROCORE_CORELINK_DATA`` (.npz: ``send`` and ``expect``, flat uint8, with
``send_at`` and ``expect_at`` [K + 1] offsets of the K transactions),
``NEUROCORE_CORELINK_META`` (JSON: divisor, seed, reset, timestep_clocks: a bound on a
timestep's clocks; a reply that stops for longer is a mismatch and ends the run),
``NEUROCORE_CORELINK_REPORT`` (JSON written here: transactions, mismatches, first mismatch, clocks).
"""

import json
import os

import cocotb
import numpy as np
from bench_hostlink import receive_byte, send_byte
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, SimTimeoutError, with_timeout
from cocotb.utils import get_sim_time

__all__ = ["core_link"]


@cocotb.test()
async def core_link(dut):
    """Every reply equals the golden model's, byte for byte."""
    meta = json.loads(os.environ["NEUROCORE_CORELINK_META"])
    data = np.load(os.environ["NEUROCORE_CORELINK_DATA"])
    send, send_at = data["send"], data["send_at"]
    expect, expect_at = data["expect"], data["expect_at"]
    divisor = meta["divisor"]
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rx.value = 1
    reset = getattr(dut, meta["reset"])
    active = 1 if meta["reset"] == "rst" else 0
    reset.value = active
    await ClockCycles(dut.clk, 4)
    reset.value = 1 - active
    await ClockCycles(dut.clk, 2 * divisor)
    start = get_sim_time("ns")
    mismatches, first = 0, None
    for k in range(len(send_at) - 1):
        want = [int(b) for b in expect[expect_at[k]:expect_at[k + 1]]]
        got = []

        async def collect(got=got, want=want):
            for _ in want:
                got.append(await receive_byte(dut, divisor))

        reader = cocotb.start_soon(collect())
        for byte in send[send_at[k]:send_at[k + 1]]:
            await send_byte(dut, int(byte), divisor)
        # a reply's bytes follow within a timestep and a byte time each, with room to spare
        limit = (20 * divisor * (len(want) + 2) + meta["timestep_clocks"]) * 10
        try:
            await with_timeout(reader, limit, "ns")
        except SimTimeoutError:
            reader.cancel()
            mismatches += 1
            first = first or (f"seed {meta['seed']} transaction {k}: expected {want}, got "
                              f"{got} and then nothing for {limit // 10} clocks")
            break
        await RisingEdge(dut.clk)
        if got != want:
            mismatches += 1
            first = first or f"seed {meta['seed']} transaction {k}: expected {want}, got {got}"
    clocks = int((get_sim_time("ns") - start) // 10)
    with open(os.environ["NEUROCORE_CORELINK_REPORT"], "w") as fh:
        json.dump({"transactions": len(send_at) - 1, "mismatches": mismatches,
                   "first_mismatch": first, "clocks": clocks}, fh)
