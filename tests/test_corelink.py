"""A network on a board: the population core behind the UART (rtl_gen.corelink), its host
driver (neurocore_hw.hostlink.CoreDriver), co-simulated byte for byte against the golden
model, alone and as the whole board top."""

import dataclasses

import numpy as np
import pytest
from conftest import BUILD_ROOT

from neurocore_hw.cli import main
from neurocore_hw.hostlink import (
    CoreDriver,
    encode_event,
    encode_step_reply,
    pack_state,
    unpack_state,
)
from neurocore_hw.models import lif, xylo
from neurocore_hw.network import CoreConfig
from rtl_gen.corelink import CoreLink, corelink_verilog
from rtl_gen.verify.corelink import run_corelink_cosim

LIF = dataclasses.replace(lif.PRESETS["sc_lif_q8_8"], gain_k=256)
RECURRENT = CoreConfig(params=LIF, neurons=16, inputs=8, recurrent=True)


@pytest.mark.cosim
def test_core_link_is_byte_exact_with_the_golden_network():
    """Weights over the link, random events and timesteps, every neuron's state read back:
    every reply byte equals the golden model's (with spikes and recurrence)."""
    result = run_corelink_cosim(RECURRENT, steps=12, seed=3, build_root=BUILD_ROOT)
    assert result["passed"], result["first_mismatch"]
    assert result["events"] > 10 and result["spikes"] > 10


@pytest.mark.cosim
def test_the_whole_board_top_with_a_core():
    """iCEBreaker top (button reset synchronizer, rx synchronizer) with a xylo core."""
    config = CoreConfig(params=xylo.PRESETS["narrow8"], neurons=16, inputs=8, acc_width=12,
                        acc_overflow="saturate")
    result = run_corelink_cosim(config, steps=10, seed=5, build_root=BUILD_ROOT,
                                board="icebreaker")
    assert result["passed"], result["first_mismatch"]
    assert result["spikes"] > 10


@pytest.mark.cosim
def test_core_link_check_has_teeth():
    """A link whose core drops the weights' top bit (7-bit weights) fails the same run."""
    narrow = dataclasses.replace(RECURRENT, weight_width=7)
    wrong, _ = corelink_verilog(narrow, 4)
    text, top = corelink_verilog(RECURRENT, 4)
    wrong = wrong.replace("neurocore_corelink_lif", top)
    result = run_corelink_cosim(RECURRENT, steps=12, seed=3, build_root=BUILD_ROOT,
                                verilog_text=wrong)
    assert not result["passed"] and result["mismatches"] > 0


class _Port:
    """A byte stream that answers with canned replies."""

    def __init__(self, replies: bytes):
        self.sent, self.replies = b"", replies

    def write(self, data: bytes) -> None:
        self.sent += data

    def read(self, n: int) -> bytes:
        out, self.replies = self.replies[:n], self.replies[n:]
        return out


def test_core_driver_speaks_the_protocol():
    """Events and the step go out as documented; the reply's events come back in order;
    a state word unpacks with signs; a short reply times out; a stray byte is named."""
    port = _Port(encode_step_reply([3, 17, 300]))
    driver = CoreDriver(port, RECURRENT)
    assert driver.step([1, 5]) == [3, 17, 300]
    assert port.sent == encode_event(1) + encode_event(5) + b"\x04"
    word = pack_state(LIF, v=-5, refrac=2)
    assert unpack_state(LIF, word) == {"v": -5, "refrac": 2}
    port = _Port(word.to_bytes(8, "little"))
    assert CoreDriver(port, RECURRENT).read_state(7) == {"v": -5, "refrac": 2}
    with pytest.raises(TimeoutError):
        CoreDriver(_Port(b"\x01\x02"), RECURRENT).step([])
    with pytest.raises(ValueError, match="0x07"):
        CoreDriver(_Port(b"\x07"), RECURRENT).step([])


def test_bad_core_links_are_refused(capsys):
    with pytest.raises(ValueError, match="row add"):
        CoreLink(config=CoreConfig(params=LIF, neurons=1024, inputs=8), divisor=4)
    assert main(["board", "icebreaker", "lif", "--neurons", "16", "-o", "x.v"]) == 2
    assert "--inputs" in capsys.readouterr().err
    assert main(["board", "icebreaker", "lif", "--recurrent", "-o", "x.v"]) == 2
    assert np.iinfo(np.uint16).max >= RECURRENT.neurons


@pytest.mark.cosim
def test_a_layered_network_behind_the_link():
    """A NIR graph (LIF, recurrent hidden layer, biases) quantized to a layered network,
    on the chain of cores behind the UART: every core's weights, state and bias over the
    link (region byte core << 2 | region), the sample's events in, the last layer's spikes
    back every timestep, every core's state read at the end -- byte for byte the golden
    chain (itself equal to run_layered)."""
    from test_nir import _two_layer_graph

    from neurocore_hw.nir import quantize_network, spec_from_graph
    from rtl_gen.verify.corelink import run_network_link_cosim

    spec = spec_from_graph(_two_layer_graph("LIF", seed=3))
    net = quantize_network(spec, dt=1e-4, weight_width=8, state_width=16, max_shift=0)
    x = (np.random.default_rng(3).random((30, 8)) < 0.3).astype(np.uint8)
    result = run_network_link_cosim(net, x, build_root=BUILD_ROOT)
    assert result["passed"], result["first_mismatch"]
    assert result["cores"] == 2 and result["spikes"] > 0
