"""UART host link: the byte protocol, the UART in amaranth.sim, the host driver against a
simulated board, and the whole top level under Verilator (frames in, frames out)."""

import numpy as np
import pytest
from conftest import BUILD_ROOT

from neurocore_hw.engine import run
from neurocore_hw.hostlink import (
    HostDriver,
    decode_outputs,
    encode_inputs,
    encode_outputs,
    frame_sizes,
)
from neurocore_hw.models import cuba_lif, izhikevich, lif


def test_frames_round_trip():
    p = cuba_lif.PRESETS["loihi"]  # 25-bit signed u: 4 bytes, sign-extended
    assert frame_sizes(p) == (2, 1 + 4 + 3)
    frame = encode_outputs(p, True, u=-(1 << 23) + 1, v=(1 << 23) - 1)
    assert frame[1:5] == ((-(1 << 23) + 1) & 0xFFFFFFFF).to_bytes(4, "little")
    assert decode_outputs(p, frame) == (True, {"u": -(1 << 23) + 1, "v": (1 << 23) - 1})
    assert encode_inputs(p, a_in=-2) == b"\xfe\xff"
    with pytest.raises(ValueError, match="a_in"):
        encode_inputs(p, a_in=1 << 15)
    with pytest.raises(ValueError, match="output frame"):
        decode_outputs(p, b"\x00")


class SimulatedBoard:
    """The protocol over the golden model: what a correct board answers."""

    def __init__(self, params):
        self.params, self.entry = params, params.model
        self.state = self.entry.initial_state(params, 1)
        self.n_in, _ = frame_sizes(params)
        self.pending = b""
        self.out = b""

    def write(self, data):
        self.pending += data
        while len(self.pending) >= self.n_in:
            frame, self.pending = self.pending[:self.n_in], self.pending[self.n_in:]
            values, pos = {}, 0
            for port in self.params.input_ports():
                n = (port.width + 7) // 8
                values[port.name] = int.from_bytes(frame[pos:pos + n], "little",
                                                   signed=port.signed)
                pos += n
            self.state, spike = self.entry.step(self.params, self.state, **values)
            self.out += encode_outputs(self.params, spike[0], **{
                k: getattr(self.state, k)[0] for k in self.state._fields})

    def read(self, n):
        data, self.out = self.out[:n], self.out[n:]
        return data


def test_host_driver_equals_engine():
    p = lif.PRESETS["sc_lif_q8_8"]
    i_in = np.random.default_rng(0).integers(0, 1000, 300)
    spikes, traces = HostDriver(SimulatedBoard(p), p).run(i_in=i_in)
    golden = run(p, {"i_in": i_in[:, None]}, record=True)
    assert np.array_equal(spikes, golden.spikes[:, 0]) and spikes.sum() > 5
    assert np.array_equal(traces["v"], golden.traces["v"][:, 0])


def test_host_driver_times_out_on_a_silent_board():
    class Silent:
        def write(self, data):
            pass

        def read(self, n):
            return b""

    with pytest.raises(TimeoutError, match="expected 4 bytes"):
        HostDriver(Silent(), lif.PRESETS["sc_lif_q8_8"]).step(i_in=1)


def test_uart_loopback_in_amaranth_sim():
    """Bytes through UARTTx -> UARTRx arrive intact, in order, at divisor 5."""
    from amaranth.hdl import ClockDomain, Module
    from amaranth.sim import Simulator

    from rtl_gen.uart import UARTRx, UARTTx

    m = Module()
    m.domains.sync = ClockDomain("sync")
    m.submodules.tx = tx = UARTTx(divisor=5)
    m.submodules.rx = rx = UARTRx(divisor=5)
    m.d.comb += rx.rx.eq(tx.tx)
    sent = [0x00, 0xFF, 0xA5, 0x5A, 0x01, 0x80, 0x3C]
    got = []

    async def bench(ctx):
        for byte in sent:
            while not ctx.get(tx.ready):
                await ctx.tick()
            ctx.set(tx.data, byte)
            ctx.set(tx.start, 1)
            await ctx.tick()
            ctx.set(tx.start, 0)
            for _ in range(60):
                await ctx.tick()
                if ctx.get(rx.valid):
                    got.append(ctx.get(rx.data))
                    break

    sim = Simulator(m)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert got == sent
    with pytest.raises(ValueError, match="divisor"):
        UARTRx(divisor=2)


@pytest.mark.cosim
@pytest.mark.parametrize("params", [lif.PRESETS["sc_lif_q8_8"], cuba_lif.PRESETS["w16"]],
                         ids=["lif", "cuba_lif_w16"])
def test_hostlink_top_bit_exact(params):
    from rtl_gen.verify.hostlink import run_hostlink_cosim

    result = run_hostlink_cosim(params, steps=150, seed=4, divisor=4, build_root=BUILD_ROOT)
    assert result["passed"], result["first_mismatch"]


@pytest.mark.cosim
@pytest.mark.parametrize("variant", ["two_cycle", "pipelined"])
def test_hostlink_multicycle_variant_bit_exact(variant):
    """The link waits for ``busy`` to fall (9 clocks per step for the pipelined unit):
    capturing any earlier would send the previous step's state and fail."""
    from rtl_gen.verify.hostlink import run_hostlink_cosim

    params = izhikevich.PRESETS["rs"]
    result = run_hostlink_cosim(params, steps=60, seed=5, divisor=4, build_root=BUILD_ROOT,
                                variant=variant)
    assert result["passed"], result["first_mismatch"]


@pytest.mark.cosim
def test_hostlink_bench_has_teeth(monkeypatch):
    """Expected frames with the spike flag inverted must fail (same Verilog, cached)."""
    from rtl_gen.verify import hostlink

    real = hostlink.encode_outputs
    monkeypatch.setattr(hostlink, "encode_outputs",
                        lambda p, spike, **s: real(p, not spike, **s))
    result = hostlink.run_hostlink_cosim(lif.PRESETS["sc_lif_q8_8"], steps=40, seed=4,
                                         divisor=4, build_root=BUILD_ROOT)
    assert not result["passed"] and result["mismatches"] == 40
