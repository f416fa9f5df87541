"""What works here: the Docker daemon, the image, and whether each limit is in force inside a sandbox.

`check_docker()` does not trust the flags it passes: it starts a real sandbox container and reads,
from the inside, the uid, capabilities, network interfaces, root writability, /tmp size and the
cgroup limits. `check_process()` reports what the process backend achieves on this machine.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

from sandbox import docker_api, image
from sandbox.attach import AttachedStreams, read_to_end
from sandbox.docker_api import DockerError
from sandbox.docker_backend import container_spec, start_container
from sandbox.limits import SandboxLimits
from sandbox.process_backend import probe_isolation

PROBE = r"""
import json, os, socket
def read(*paths):
    for path in paths:
        try:
            return open(path).read().strip()
        except OSError:
            pass
    return ""
status = dict(line.split(":", 1) for line in read("/proc/self/status").splitlines() if ":" in line)
try:
    open("/etc/mnemoforge-probe", "w").close()
    root_writable = True
except OSError:
    root_writable = False
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1).close()
    connect = "connected"
except OSError as error:
    connect = type(error).__name__
quota, period = (read("/sys/fs/cgroup/cpu.max") or "").split()[:2] or ("", "")
if not quota:
    quota, period = read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), read("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
tmp = os.statvfs("/tmp")
print(json.dumps({
    "uid": os.getuid(),
    "cap_eff": status.get("CapEff", "").strip(),
    "no_new_privs": status.get("NoNewPrivs", "").strip(),
    "interfaces": sorted(os.listdir("/sys/class/net")),
    "loopback_connect": connect,
    "root_writable": root_writable,
    "tmp_bytes": tmp.f_blocks * tmp.f_frsize,
    "memory": read("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"),
    "swap": read("/sys/fs/cgroup/memory.swap.max", "/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"),
    "pids": read("/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max"),
    "cpu_quota": quota, "cpu_period": period,
    "env": sorted(os.environ),
}))
"""


@dataclass(frozen=True)
class Finding:
    """One checked fact: what, whether it is as it should be, and the detail in plain words."""

    name: str
    ok: bool
    detail: str


def check_docker(limits: SandboxLimits | None = None) -> list[Finding]:
    """Daemon, image, then the limits as seen from inside a sandbox container; stops at the first gap."""
    limits = limits or SandboxLimits()
    status = docker_api.daemon_status()
    findings = [Finding("docker daemon", status.reachable, status.detail)]
    if not status.reachable:
        return findings
    state = image.image_status()
    stale = (
        f"; older images that `sandbox build --prune` removes: {', '.join(state.stale)}"
        if state.stale
        else ""
    )
    detail = (
        f"{state.tag} is {'present' if state.present else 'missing: run `mnemoforge sandbox build`'}{stale}"
    )
    findings.append(Finding("sandbox image", state.present, detail))
    leftovers = docker_api.labelled_containers()
    findings.append(Finding("leftover containers", True, f"{len(leftovers)} sandbox container(s) exist now"))
    if not state.present:
        return findings
    return findings + _inside_findings(state.tag, limits)


def _inside_findings(tag: str, limits: SandboxLimits) -> list[Finding]:
    name = f"mnemoforge-check-{uuid.uuid4().hex[:12]}"
    started = time.perf_counter()
    try:
        streams = AttachedStreams(stdin=False)
        try:
            start_container(container_spec(tag, name, limits, ["python3", "-I", "-c", PROBE]), streams)
            printed, errors = read_to_end(streams, time.monotonic() + 120)
            with docker_api.translated("waiting for the probe"):
                status = docker_api.api().wait(name, timeout=30)["StatusCode"]
        finally:
            streams.discard()
    except (DockerError, TimeoutError) as error:
        return [Finding("sandbox start", False, str(error))]
    finally:
        docker_api.remove_containers([name])
    seconds = time.perf_counter() - started
    if status != 0:
        return [
            Finding("sandbox start", False, f"the probe exited with {status}: {image.last_words(errors)}")
        ]
    seen = json.loads(printed.decode().strip().splitlines()[-1])
    memory = str(limits.memory_mb << 20)
    quota = str(int(limits.cpus * int(seen["cpu_period"] or 0)))
    writable, connect, interfaces = seen["root_writable"], seen["loopback_connect"], seen["interfaces"]
    leaky = [name for name in seen["env"] if "KEY" in name or "TOKEN" in name or "SECRET" in name]
    return [
        Finding("sandbox start", True, f"a container ran the probe in {seconds:.2f} s (start, run and exit)"),
        Finding("non-root user", seen["uid"] != 0, f"runs as uid {seen['uid']}"),
        Finding("no capabilities", int(seen["cap_eff"] or "1", 16) == 0, f"effective set {seen['cap_eff']}"),
        Finding("no new privileges", seen["no_new_privs"] == "1", f"NoNewPrivs={seen['no_new_privs']}"),
        Finding(
            "no network",
            interfaces == ["lo"] and connect != "connected",
            f"interfaces {interfaces}; a loopback connection gives {connect}",
        ),
        Finding("read-only root", not writable, "writing /etc " + ("worked" if writable else "fails")),
        Finding(
            "/tmp size cap",
            seen["tmp_bytes"] <= (limits.tmpfs_mb << 20),
            f"/tmp holds {seen['tmp_bytes'] >> 20} MiB (limit {limits.tmpfs_mb} MiB)",
        ),
        Finding("memory limit", seen["memory"] == memory, f"cgroup memory limit {seen['memory']} bytes"),
        Finding(
            "no swap beyond it", seen["swap"] in (memory, "0"), f"memory+swap limit {seen['swap']} bytes"
        ),
        Finding("process limit", seen["pids"] == str(limits.pids), f"cgroup pids limit {seen['pids']}"),
        Finding(
            "cpu limit",
            quota == seen["cpu_quota"],
            f"{seen['cpu_quota']} µs of CPU per {seen['cpu_period']} µs",
        ),
        Finding("clean environment", not leaky, f"variables: {', '.join(seen['env'])}"),
    ]


def check_process() -> list[Finding]:
    """What the process backend isolates here, and the weaknesses it keeps."""
    isolation = probe_isolation()
    net, pid, uid = isolation.network_namespace, isolation.pid_namespace, isolation.unprivileged_uid
    findings = [
        Finding(
            "network namespace", net, "unshare --net: no network at all" if net else "none: network open"
        ),
        Finding("pid namespace", pid, "unshare --pid: all processes die together" if pid else "none"),
        Finding("unprivileged uid", uid, "setpriv to nobody" if uid else "runs as the host user"),
    ]
    return findings + [Finding("weakness", False, note) for note in isolation.weaknesses()]
