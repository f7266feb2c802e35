"""Host side of the UART link (see :mod:`rtl_gen.hostlink` for the byte protocol).

:func:`encode_inputs` and :func:`decode_outputs` turn port values into frames and back;
:class:`HostDriver` runs a neuron on the board one step per frame over any byte stream
with ``write`` and ``read`` (a ``serial.Serial`` from pyserial: ``HostDriver.open(
"/dev/ttyUSB1", params)``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["HostDriver", "decode_outputs", "encode_inputs", "encode_outputs",
           "field_bytes", "frame_sizes"]


def field_bytes(width: int) -> int:
    """Bytes a ``width``-bit port occupies in a frame: ``ceil(width / 8)``."""
    return (width + 7) // 8



def frame_sizes(params) -> tuple[int, int]:
    """Bytes of an input frame and of an output frame."""
    return (sum(field_bytes(p.width) for p in params.input_ports()),
            1 + sum(field_bytes(p.width) for p in params.state_ports()))


def _pack(value: int, width: int) -> bytes:
    n = field_bytes(width)
    return (int(value) & ((1 << (8 * n)) - 1)).to_bytes(n, "little")


def _unpack(raw: bytes, width: int, signed: bool) -> int:
    return int.from_bytes(raw, "little", signed=signed)


def encode_inputs(params, **inputs) -> bytes:
    """One input frame: every input port's code, in port order (missing ports are 0)."""
    frame = b""
    for port in params.input_ports():
        value = int(inputs.get(port.name, 0))
        lo = -(1 << (port.width - 1)) if port.signed else 0
        hi = (1 << (port.width - (1 if port.signed else 0))) - 1
        if not lo <= value <= hi:
            raise ValueError(f"{port.name}={value} is outside its {port.width}-bit range "
                             f"[{lo}, {hi}]")
        frame += _pack(value, port.width)
    return frame


def encode_outputs(params, spike: bool, **state) -> bytes:
    """The output frame the FPGA sends for a step with this spike and state."""
    frame = bytes([int(bool(spike))])
    for port in params.state_ports():
        frame += _pack(int(state[port.name]), port.width)
    return frame


def decode_outputs(params, frame: bytes) -> tuple[bool, dict[str, int]]:
    """Spike and state values of an output frame."""
    _, n_out = frame_sizes(params)
    if len(frame) != n_out:
        raise ValueError(f"an output frame has {n_out} bytes, got {len(frame)}")
    state, pos = {}, 1
    for port in params.state_ports():
        n = field_bytes(port.width)
        state[port.name] = _unpack(frame[pos:pos + n], port.width, port.signed)
        pos += n
    return bool(frame[0] & 1), state


class HostDriver:
    """Drive a neuron on the board over a byte stream, one step per call.

    Parameters
    ----------
    port : object
        Has ``write(bytes)`` and ``read(n) -> bytes`` (e.g. ``serial.Serial``).
    params : object
        The ``Params`` the board's top level was generated from.
    """

    def __init__(self, port, params):
        self.port, self.params = port, params
        self.n_in, self.n_out = frame_sizes(params)

    @classmethod
    def open(cls, device: str, params, baud: int = 115_200, timeout: float = 1.0
             ) -> HostDriver:
        """Open a serial port with pyserial (``pip install pyserial``)."""
        import serial  # optional dependency: only the real-board path needs it
        return cls(serial.Serial(device, baud, timeout=timeout), params)

    def step(self, **inputs) -> tuple[bool, dict[str, int]]:
        """Send one input frame, read the output frame; return spike and state."""
        self.port.write(encode_inputs(self.params, **inputs))
        frame = self.port.read(self.n_out)
        if len(frame) != self.n_out:
            raise TimeoutError(f"expected {self.n_out} bytes from the board, got "
                               f"{len(frame)}")
        return decode_outputs(self.params, frame)

    def run(self, **inputs) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Step through 1-D input arrays of equal length; return spikes and traces."""
        length = len(next(iter(inputs.values())))
        spikes = np.zeros(length, dtype=bool)
        traces = {p.name: np.zeros(length, dtype=np.int64) for p in self.params.state_ports()}
        for t in range(length):
            spikes[t], state = self.step(**{k: int(v[t]) for k, v in inputs.items()})
            for name, value in state.items():
                traces[name][t] = value
        return spikes, traces
