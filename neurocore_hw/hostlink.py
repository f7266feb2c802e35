"""Host side of the UART links (see :mod:`rtl_gen.hostlink` and :mod:`rtl_gen.corelink`
for the byte protocols).

:func:`encode_inputs` and :func:`decode_outputs` turn port values into frames and back;
:class:`HostDriver` runs a neuron on the board one step per frame over any byte stream
with ``write`` and ``read`` (a ``serial.Serial`` from pyserial: ``HostDriver.open(
"/dev/ttyUSB1", params)``). :class:`CoreDriver` runs a population core on the board:
weights and state over the bus, input events in, output events back, a timestep at a
time (the core link's commands: :func:`encode_write`, :func:`encode_read`,
:func:`encode_event`, :data:`STEP`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["CMD_EVENT", "CMD_READ", "CMD_STEP", "CMD_WRITE", "DATA_BYTES", "CoreDriver",
           "HostDriver", "INDEX_BYTES", "NetworkDriver", "STEP", "decode_outputs", "encode_event",
           "encode_inputs", "encode_outputs", "encode_read", "encode_write",
           "encode_step_reply", "field_bytes", "frame_sizes", "pack_state", "unpack_state"]

#: Core link commands (first byte of each): a bus write, a bus read, an input event, a
#: timestep.
CMD_WRITE, CMD_READ, CMD_EVENT, CMD_STEP = 0x01, 0x02, 0x03, 0x04
#: Bytes of a bus index, of a bus data word, of an event source or neuron number.
INDEX_BYTES, DATA_BYTES, ID_BYTES = 4, 8, 2
#: The one-byte command that runs a timestep.
STEP = bytes([CMD_STEP])


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


def encode_write(region: int, index: int, value: int) -> bytes:
    """A bus write: ``0x01``, the region (0 weights, 1 state, 2 accumulators, 3 bias; in
    a chain of cores ``core << 2 | region``), the index (4 bytes) and the word (8 bytes,
    two's complement; the core keeps the low bits its memory holds)."""
    if not 0 <= region <= 255 or not 0 <= index < 1 << (8 * INDEX_BYTES):
        raise ValueError(f"bus region {region} / index {index} out of range")
    return (bytes([CMD_WRITE, region]) + index.to_bytes(INDEX_BYTES, "little")
            + (int(value) & ((1 << (8 * DATA_BYTES)) - 1)).to_bytes(DATA_BYTES, "little"))


def encode_read(region: int, index: int) -> bytes:
    """A bus read: ``0x02``, region (``core << 2 | region`` in a chain), index; the reply
    is the word (8 bytes)."""
    if not 0 <= region <= 255 or not 0 <= index < 1 << (8 * INDEX_BYTES):
        raise ValueError(f"bus region {region} / index {index} out of range")
    return bytes([CMD_READ, region]) + index.to_bytes(INDEX_BYTES, "little")


def encode_event(source: int) -> bytes:
    """An input event: ``0x03`` and the source (2 bytes)."""
    if not 0 <= source < 1 << (8 * ID_BYTES):
        raise ValueError(f"source {source} out of range")
    return bytes([CMD_EVENT]) + int(source).to_bytes(ID_BYTES, "little")


def encode_step_reply(neurons) -> bytes:
    """What the core link sends for a timestep: ``0x01`` and the neuron (2 bytes) per
    output event, in the core's order, then ``0x00``."""
    return b"".join(bytes([1]) + int(n).to_bytes(ID_BYTES, "little") for n in neurons) + b"\0"


def pack_state(params, **state) -> int:
    """The packed state word of one neuron (state ports in order, the first at bit 0)."""
    word, pos = 0, 0
    for port in params.state_ports():
        word |= (int(state[port.name]) & ((1 << port.width) - 1)) << pos
        pos += port.width
    return word


def unpack_state(params, word: int) -> dict[str, int]:
    """The state values of a packed word (sign-extended for signed ports)."""
    out, pos = {}, 0
    for port in params.state_ports():
        v = (int(word) >> pos) & ((1 << port.width) - 1)
        if port.signed and v >> (port.width - 1):
            v -= 1 << port.width
        out[port.name] = v
        pos += port.width
    return out


class CoreDriver:
    """Drive a population core on the board (``neurocore-hw board B MODEL --neurons N
    --inputs M``) over a byte stream.

    Parameters
    ----------
    port : object
        Has ``write(bytes)`` and ``read(n) -> bytes`` (e.g. ``serial.Serial``).
    config : CoreConfig
        The core the board was built with.
    """

    def __init__(self, port, config):
        self.port, self.config = port, config

    @classmethod
    def open(cls, device: str, config, baud: int = 115_200, timeout: float = 1.0
             ) -> CoreDriver:
        """Open a serial port with pyserial (``pip install pyserial``)."""
        import serial  # optional dependency: only the real-board path needs it
        return cls(serial.Serial(device, baud, timeout=timeout), config)

    def _read(self, n: int) -> bytes:
        data = self.port.read(n)
        if len(data) != n:
            raise TimeoutError(f"expected {n} bytes from the board, got {len(data)}")
        return data

    def load_weights(self, weights) -> None:
        """Write every weight (``rows x N``, row = source) over the bus."""
        w = np.asarray(weights, dtype=np.int64)
        n = self.config.neurons
        self.port.write(b"".join(encode_write(0, r * n + i, int(w[r, i]))
                                 for r in range(w.shape[0]) for i in range(n)))

    def read_state(self, neuron: int) -> dict[str, int]:
        """One neuron's state registers."""
        self.port.write(encode_read(1, neuron))
        word = int.from_bytes(self._read(DATA_BYTES), "little")
        return unpack_state(self.config.params, word)

    def step(self, events=()) -> list[int]:
        """Deliver input events (sources, in order), run a timestep; the neurons that
        fired, in the core's order."""
        self.port.write(b"".join(encode_event(int(s)) for s in events) + STEP)
        fired = []
        while True:
            tag = self._read(1)[0]
            if tag == 0:
                return fired
            if tag != 1:
                raise ValueError(f"unexpected byte {tag:#04x} from the core link")
            fired.append(int.from_bytes(self._read(ID_BYTES), "little"))


class NetworkDriver(CoreDriver):
    """Drive a layered network on the board's chain of cores (``neurocore-hw board B
    MODEL --network FILE``).

    Parameters
    ----------
    port : object
        Has ``write(bytes)`` and ``read(n) -> bytes``.
    net : LayeredNetwork
        The network the board was built with (:func:`neurocore_hw.layered.load_network`).
    """

    def __init__(self, port, net):
        from .layered import core_layers

        self.net, self.cores = net, core_layers(net)
        super().__init__(port, self.cores[0].config)

    @classmethod
    def open(cls, device: str, net, baud: int = 115_200, timeout: float = 1.0
             ) -> NetworkDriver:
        """Open a serial port with pyserial (``pip install pyserial``)."""
        import serial  # optional dependency: only the real-board path needs it
        return cls(serial.Serial(device, baud, timeout=timeout), net)

    def load(self) -> None:
        """Write every core's weights, reset state and bias registers."""
        chunks = []
        for k, core in enumerate(self.cores):
            cfg = core.config
            names = [q.name for q in cfg.params.state_ports()]
            init = cfg.params.model.initial_state(cfg.params, cfg.neurons)
            chunks += [encode_write(k << 2, i, int(w))
                       for i, w in enumerate(core.weights.reshape(-1).tolist())]
            chunks += [encode_write(k << 2 | 1, i, pack_state(cfg.params, **{
                n: int(getattr(init, n)[i]) for n in names})) for i in range(cfg.neurons)]
            if cfg.bias:
                chunks += [encode_write(k << 2 | 3, i, int(b)) for i, b in enumerate(core.bias)]
        self.port.write(b"".join(chunks))

    def read_state(self, neuron: int, core: int = 0) -> dict[str, int]:
        """One neuron's state registers in core ``core``."""
        self.port.write(encode_read(core << 2 | 1, neuron))
        word = int.from_bytes(self._read(DATA_BYTES), "little")
        return unpack_state(self.cores[core].config.params, word)

    def run(self, x) -> np.ndarray:
        """One sample ``x`` ``[T, inputs]`` of spikes: the last layer's spikes ``[T, n]``."""
        x = np.asarray(x)
        out = np.zeros((x.shape[0], self.cores[-1].size), dtype=bool)
        for t, row in enumerate(x):
            fired = self.step(np.flatnonzero(row).tolist())
            out[t, [n for n in fired if n < out.shape[1]]] = True
        return out
