"""The sandbox's parts on their own, no container needed: protocol, broker, limits, image tags, choices."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sandbox import image, protocol
from sandbox.backends import SandboxUnavailable, make_session_factory
from sandbox.broker import CapabilityBroker
from sandbox.limits import SandboxLimits
from sandbox.process_backend import ProcessIsolation
from sandbox.session import Capabilities, InProcessSession
from sandbox.toolkit import CapabilityError
from sandbox.vendor import vendored_numpy


def test_a_message_is_one_line_even_when_its_strings_hold_newlines() -> None:
    line = protocol.encode({"id": 1, "op": "write", "raw_text": "a\nb\r\n\u2028c"})
    assert line.count(b"\n") == 1 and line.endswith(b"\n")
    assert protocol.decode(line)["raw_text"] == "a\nb\r\n\u2028c"


@pytest.mark.parametrize("line", [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_anything_but_a_json_object_is_a_protocol_error(line: bytes) -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(line)


def test_any_python_string_crosses_unchanged() -> None:
    text = "lone surrogate \ud800, emoji \U0001f600, nul \x00"
    assert protocol.decode(protocol.encode({"result": text}))["result"] == text


def test_vectors_cross_the_wire_bit_for_bit() -> None:
    vectors = np.random.default_rng(0).standard_normal((3, 7)).tolist()
    packed = protocol.pack_vectors(np.asarray(vectors))
    assert protocol.unpack_vectors(protocol.decode(protocol.encode(packed))) == vectors


class CountingLLM:
    def __init__(self) -> None:
        self.prompts: list[str] = []

    def __call__(self, prompt: str, system: str | None, max_tokens: int) -> str:
        self.prompts.append(prompt)
        return "ok"


def llm_call(call: int, prompt: str = "hi") -> dict[str, object]:
    return {"call": call, "tool": "llm", "args": {"prompt": prompt, "system": None, "max_tokens": 16}}


def test_the_broker_refuses_llm_calls_past_the_budget_and_counts_what_it_served() -> None:
    llm = CountingLLM()
    broker = CapabilityBroker(
        Capabilities(embed=lambda texts: [[1.0]] * len(texts), llm=llm, llm_calls_per_operation=2)
    )
    broker.begin_operation()
    answers = [broker.answer(llm_call(call)) for call in (1, 2, 3)]
    assert [answer["ok"] for answer in answers] == [True, True, False]
    assert answers[2]["error"]["type"] == "llm_budget"
    assert broker.llm_calls == 2 and len(llm.prompts) == 2
    broker.begin_operation()
    assert broker.answer(llm_call(4))["ok"] and broker.llm_calls == 1


def test_the_broker_says_llm_unavailable_without_an_llm() -> None:
    broker = CapabilityBroker(Capabilities(embed=lambda texts: []))
    answer = broker.answer(llm_call(1))
    assert answer["ok"] is False and answer["error"]["type"] == "llm_unavailable"


@pytest.mark.parametrize(
    "message",
    [
        {"call": 1, "tool": "embed", "args": {"texts": "not a list"}},
        {"call": 1, "tool": "embed", "args": {"texts": []}},
        {"call": 1, "tool": "llm", "args": {"prompt": 5, "max_tokens": 3}},
        {"call": 1, "tool": "shell", "args": {}},
        {"call": 1, "tool": "embed", "args": "texts"},
    ],
)
def test_malformed_capability_calls_are_refused_not_raised(message: dict[str, object]) -> None:
    broker = CapabilityBroker(Capabilities(embed=lambda texts: [[1.0]] * len(texts), llm=CountingLLM()))
    broker.begin_operation()
    answer = broker.answer(message)
    assert answer["ok"] is False and answer["error"]["type"] == "crash"
    assert broker.llm_calls == broker.embed_calls == 0


def test_a_failing_embedder_is_a_refusal_the_program_sees() -> None:
    def broken(texts: list[str]) -> list[list[float]]:
        raise ConnectionError("provider down")

    broker = CapabilityBroker(Capabilities(embed=broken))
    answer = broker.answer({"call": 1, "tool": "embed", "args": {"texts": ["a"]}})
    assert answer["error"]["type"] == "host_error" and "provider down" in answer["error"]["message"]


def test_a_backend_that_names_its_reason_keeps_it() -> None:
    def outage(prompt: str, system: str | None, max_tokens: int) -> str:
        raise CapabilityError("llm_unavailable", "the host's model failed: HTTP 503")

    broker = CapabilityBroker(Capabilities(embed=lambda texts: [], llm=outage))
    args = {"prompt": "p", "system": None, "max_tokens": 5}
    answer = broker.answer({"call": 1, "tool": "llm", "args": args})
    assert answer["error"] == {"type": "llm_unavailable", "message": "the host's model failed: HTTP 503"}


@pytest.mark.parametrize("field", ["operation_seconds", "memory_mb", "pids", "max_read_chars"])
def test_limits_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        SandboxLimits(**{field: 0})


def test_the_image_tag_changes_with_any_harness_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in image.HARNESS_FILES:
        shutil.copy(Path(image.__file__).with_name(name), tmp_path / name)
    monkeypatch.setattr(image, "_harness_dir", lambda: tmp_path)
    before = image.image_tag()
    (tmp_path / "toolkit.py").write_text((tmp_path / "toolkit.py").read_text() + "\n# changed\n")
    assert image.image_tag() != before
    assert image.image_tag().startswith(f"{image.IMAGE_REPOSITORY}:")


def test_the_image_tag_changes_when_the_vendored_numpy_is_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    if vendored_numpy() is None:
        pytest.skip("this host's numpy cannot be vendored (not CPython 3.11 on Linux)")
    with_host_numpy = image.image_tag()
    monkeypatch.setenv("MNEMOFORGE_SANDBOX_NUMPY", "debian")
    assert image.image_tag() != with_host_numpy


def test_the_debian_mirror_can_be_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMOFORGE_DEBIAN_MIRROR", "http://mirror.invalid/debian")
    assert image.debian_mirror() == "http://mirror.invalid/debian"


def test_the_harness_tar_holds_only_the_harness_and_numpy() -> None:
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(image._harness_tar())) as archive:
        names = archive.getnames()
        assert all(member.uid == 0 and not member.mode & 0o022 for member in archive.getmembers())
    assert {f"mnemoforge/sandbox/{name}" for name in image.HARNESS_FILES} <= set(names)
    assert all(
        name.startswith(("mnemoforge/sandbox", "mnemoforge/vendor/numpy")) or name == "mnemoforge"
        for name in names
    )
    assert not any("/tests/" in name for name in names)


def test_the_process_backend_names_its_weaknesses() -> None:
    bare = ProcessIsolation((), (), False, False, False, rlimits=False)
    notes = " ".join(bare.weaknesses())
    for weakness in ("host files", "network", "PID namespace", "host user", "no memory"):
        assert weakness in notes
    strong = ProcessIsolation(("unshare",), ("setpriv",), True, True, True)
    assert len(strong.weaknesses()) == 2  # the filesystem ones remain whatever the namespaces


def test_choosing_a_backend() -> None:
    warnings: list[str] = []
    assert make_session_factory("inprocess", warn=warnings.append) is InProcessSession
    assert "no isolation" in warnings[0]
    with pytest.raises(SandboxUnavailable, match="unknown sandbox 'vm'"):
        make_session_factory("vm")


def test_a_benchmark_evaluating_in_process_hashes_strings_as_the_sandbox_does() -> None:
    """`sandbox.hash_seed.pin_hash_seed` re-executes its process under the sandbox's hash seed, so that
    figures of programs run in-process (which may iterate over sets of strings) do not move between runs."""
    code = "from sandbox.hash_seed import pin_hash_seed; pin_hash_seed(); print(hash('mnemoforge'))"
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONHASHSEED"}
    runs = [
        subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True)
        for _ in range(2)
    ]
    assert all(run.returncode == 0 for run in runs), runs
    pinned = subprocess.run(
        [sys.executable, "-c", "print(hash('mnemoforge'))"],
        env={**environment, "PYTHONHASHSEED": protocol.HASH_SEED},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert runs[0].stdout == runs[1].stdout == pinned.stdout
