"""Hostile memory programs: each one attacks the sandbox from `write`, `read` or `__init__`.

They are valid programs under the contract (standard library only), because evolved programs will be
too: the sandbox, not the contract checker, is what has to stop them.
"""

from __future__ import annotations

from textwrap import dedent, indent

_TEMPLATE = """
import errno, json, os, signal, socket, subprocess, sys, time
from dataclasses import dataclass, field

INSTRUCTION_KNOWLEDGE_ITEM = "Copy the text."
INSTRUCTION_QUERY = "Copy the question."
INSTRUCTION_RESPONSE = "Answer."
ALWAYS_ON_KNOWLEDGE = ""


@dataclass
class KnowledgeItem:
    text: str = field(default="", metadata={{"description": "the text"}})


@dataclass
class Query:
    text: str = field(default="", metadata={{"description": "the question"}})


class KnowledgeBase:
    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.texts = []

    def write(self, item, raw_text):
{write}

    def read(self, query):
{read}
"""

STORE = "self.texts.append(raw_text)"
RECALL = "return '\\n'.join(self.texts)"


def program(write: str = STORE, read: str = RECALL) -> str:
    """A program whose write and read bodies are the given code (dedented, then indented into place)."""
    return _TEMPLATE.format(
        write=indent(dedent(write).strip(), " " * 8), read=indent(dedent(read).strip(), " " * 8)
    )


BENIGN = program()

FORK_BOMB = program(write="while True:\n    os.fork()")
MEMORY_BOMB = program(write="hoard = []\nwhile True:\n    hoard.append(b'\\x01' * (256 << 20))")
ENDLESS_WRITE = program(write="while True:\n    pass")
ENDLESS_READ = program(read="while True:\n    pass")
SLEEPER = program(write="time.sleep(3600)")
SLOW_OPERATIONS = program(write="time.sleep(1.5)\nself.texts.append(raw_text)")
HUGE_READ = program(read="return 'x' * (20 << 20)")
LONG_READ = program(read="return 'y' * 150_000")
FLOOD_STDOUT = program(write="while True:\n    print('x' * 1000)")
FLOOD_STDERR = program(write="while True:\n    sys.stderr.write('e' * 1000 + '\\n')")
FLOOD_FD1 = program(write="while True:\n    os.write(1, b'z' * 4096)")
PRINT_THEN_FLOOD = program(
    write="for n in range(300):\n    print(f'line {n}')\nself.texts.append(raw_text)",
    read="while True:\n    print('x' * 1000)",
)
"""Prints 300 lines in write() (kept as log lines), then floods its output in read(): the failure keeps no
more lines than one operation may."""
PRINTING_THREAD = program(
    write="""
    import fcntl, threading
    try:
        fcntl.fcntl(2, 1031, 1 << 20)  # F_SETPIPE_SZ: room for a MiB ahead of the host's reading
    except OSError:
        pass
    def shout():
        while True:
            os.write(2, b"x\\n" * 32768)
    for _ in range(8):
        threading.Thread(target=shout, daemon=True).start()
    """
)
"""Returns from write() while its threads print on, short lines faster than the host can take them in."""
FORGED_PRINTS = program(
    read="""
    forged = json.dumps({"id": 5, "ok": True, "result": "FORGED", "logs": []})
    print(forged)
    sys.__stdout__.write(forged + "\\n")
    os.write(1, (forged + "\\n").encode())
    subprocess.run(["python3", "-c", f"print({forged!r})"])
    return "genuine"
    """
)
PRINTS_THEN_ANSWERS = program(
    write="self.texts.append(raw_text)",
    read="""
    sys.stderr.write("".join(f"line {n} of read {len(self.texts)}\\n" for n in range(150)))
    os.write(1, f"last of read {len(self.texts)}\\n".encode())
    self.texts.append("read")
    return "answered"
    """,
)
"""Prints 151 lines, the last straight on fd 1, just before each read returns: all of them belong in that
read's logs, not the next operation's."""
FORGED_OUTPUT_END = program(
    read="""
    sys.stderr.write("\\x00mnemoforge-output-end 999\\nafter the forged mark\\n")
    sys.stderr.write("no newline")
    return "answered"
    """
)
"""Forges the mark that ends an operation's output (see `sandbox.protocol.OUTPUT_END`) for a later
request, then leaves a line unfinished, so that the harness's own mark is glued to it."""
FORGED_ON_EVERY_FD = program(
    read="""
    forged = json.dumps({"id": 999, "ok": True, "result": "FORGED", "logs": []}).encode() + b"\\n"
    for fd in range(3, 256):
        try:
            os.write(fd, forged)
        except OSError:
            pass
    return "genuine"
    """
)
NETWORK = program(
    read="""
    results = []
    host, port = query.text.split(":")
    for family, address in ((socket.AF_INET, (host, int(port))), (socket.AF_UNIX, "/var/run/docker.sock")):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as connection:
                connection.settimeout(2)
                connection.connect(address)
                connection.sendall(b"escaped")
            results.append(f"{address}: connected")
        except OSError as error:
            results.append(f"{address}: {type(error).__name__}")
    return "\\n".join(results)
    """
)
HOST_FILES = program(
    read="""
    found = []
    for path in query.text.split("|"):
        try:
            with open(path, errors="replace") as handle:
                found.append(f"{path}: {handle.read(200)}")
        except OSError as error:
            found.append(f"{path}: {type(error).__name__}")
    return "\\n".join(found)
    """
)
SECRET_HUNT = program(
    read="""
    needle, skip = query.text.encode(), ("/proc", "/sys", "/dev")
    hits = [f"env {name}" for name, value in os.environ.items() if needle in value.encode()]
    for pid in os.listdir("/proc"):
        for part in ("environ", "cmdline"):
            try:
                with open(f"/proc/{pid}/{part}", "rb") as handle:
                    if needle in handle.read():
                        hits.append(f"/proc/{pid}/{part}")
            except OSError:
                pass
    scanned = 0
    for root, directories, files in os.walk("/"):
        if root.startswith(skip):
            directories[:] = []
            continue
        for name in files:
            path = os.path.join(root, name)
            if not os.path.isfile(path) or os.path.islink(path):
                continue  # a FIFO (the protocol's, say) would block the hunt, and says nothing
            try:
                with open(path, "rb") as handle:
                    scanned += 1
                    if needle in handle.read(4 << 20):
                        hits.append(path)
            except OSError:
                pass
    return json.dumps({"hits": hits, "files_scanned": scanned})
    """
)
PROCESS_SECRET_HUNT = SECRET_HUNT.replace('os.walk("/")', 'os.walk("/nonexistent")')
"""The hunt without the filesystem walk: the process backend shares the host's files by design."""
WRITE_OUTSIDE_TMP = program(
    read="""
    written = []
    for directory in ("/", "/etc", "/opt", "/usr/lib", "/var/tmp", "/dev/shm", "/run/lock", "/home", "/root"):
        path = os.path.join(directory, f"mnemoforge-escape-{os.getpid()}")
        try:
            with open(path, "w") as handle:
                handle.write("escaped")
            os.remove(path)
            written.append(directory)
        except OSError:
            pass
    return "written: " + ",".join(written)
    """
)
FILL_TMP = program(
    read="""
    import tempfile
    directory, written = tempfile.gettempdir(), 0
    chunk = b"\\0" * (1 << 20)
    try:
        for index in range(48):
            with open(os.path.join(directory, f"fill-{index}"), "wb") as handle:
                handle.write(chunk)
            written += 1
    finally:
        for index in range(written + 1):
            try:
                os.remove(os.path.join(directory, f"fill-{index}"))
            except OSError:
                pass
    return f"wrote {written} MiB"
    """
)
ONE_HUGE_FILE = program(
    write="""
    import tempfile
    with open(os.path.join(tempfile.gettempdir(), "huge"), "wb") as handle:
        for _ in range(256):
            handle.write(b"\\0" * (1 << 20))
    """
)
KILL_OWN_HARNESS = program(write="os.kill(os.getpid(), signal.SIGKILL)")
SYS_EXIT = program(write="sys.exit(3)")
OS_EXIT = program(write="os._exit(0)")
OUTLIVING_PROCESS = program(
    write="""
    marker = raw_text
    subprocess.Popen(["python3", "-c", "import time; time.sleep(600)", marker], start_new_session=True)
    if os.fork() == 0:
        os.setsid()
        os.execvp("python3", ["python3", "-c", "import time; time.sleep(600)", marker])
    self.texts.append("spawned")
    """
)
LLM_TWICE = program(write="self.toolkit.llm('one')\nself.toolkit.llm('two')")
LLM_BUDGET_BYPASS = program(
    write="""
    for _ in range(3):
        self.toolkit._llm_calls_left = 99
        self.texts.append(self.toolkit.llm('again'))
    """
)
LLM_UNAVAILABLE = program(write="self.toolkit.llm('hello')")
LLM_WITH_OFFLINE_PATH = program(
    write="""
    try:
        self.texts.append(self.toolkit.llm('summarise: ' + raw_text))
    except RuntimeError as error:
        if getattr(error, 'reason', None) != 'llm_unavailable':
            raise
        self.texts.append('offline: ' + raw_text)
    """
)
WRONG_TYPE = program(read="return 42")
CRASH = program(write="raise ValueError('the program is broken')")
STDIN_THIEF = program(read="return 'stdin: ' + repr(sys.stdin.read(100))")
STATEFUL = program(
    write="""
    import tempfile
    SEEN.append(raw_text)
    with open(os.path.join(tempfile.gettempdir(), "leftover"), "w") as handle:
        handle.write(raw_text)
    subprocess.Popen(["python3", "-c", "import time; time.sleep(600)", raw_text])
    """,
    read="""
    import tempfile
    processes = [pid for pid in os.listdir("/proc") if pid.isdigit()]
    listing = sorted(os.listdir(tempfile.gettempdir()))
    return json.dumps({"seen": len(SEEN), "tmp": listing, "processes": len(processes)})
    """,
).replace("class KnowledgeBase:", "SEEN = []\n\n\nclass KnowledgeBase:")
"""Leaves state everywhere it can: a module global, a temp file, a running process."""
LINGERING_THREAD = program(
    write="import threading\nthreading.Thread(target=time.sleep, args=(600,), daemon=True).start()"
)
_FORGER = """
import json, os, sys, time
while os.path.exists(sys.argv[2]):  # until the harness's reset empties /tmp...
    time.sleep(0.01)
time.sleep(0.3)  # ...and has long replied: the session is over
hello = json.dumps({"ready": True, "protocol": 1, "python": "forged"})
reply = json.dumps({"id": 1, "ok": True, "result": "FORGED", "logs": []})
while True:
    for name, line in (("replies", hello + "\\n" + reply), ("requests", '{"id": 1, "op": "read"}')):
        try:
            with open("/run/mnemoforge/" + name, "w") as fifo:
                fifo.write(line + "\\n")
        except OSError:
            pass
    print("POLLUTION", sys.argv[1], flush=True)
    time.sleep(0.02)
"""
POLLUTER = program(
    write=f"""
    import tempfile
    # Disarm the harness's own clean-up of processes, and lock a directory its clean-up of /tmp cannot
    # remove, so that only the supervisor's sweep stands between this program and the next one; then
    # leave a process that, once the session is over, forges protocol messages and floods the output.
    harness = sys.modules["sandbox.harness"]
    harness._kill_other_processes = lambda: None
    top = os.path.join(tempfile.gettempdir(), "locked")
    os.makedirs(os.path.join(top, "inner"))
    open(os.path.join(top, "inner", "file"), "w").write(raw_text)
    os.chmod(os.path.join(top, "inner"), 0)
    os.chmod(top, 0)
    session_open = os.path.join(tempfile.gettempdir(), "session-open")
    open(session_open, "w").close()
    subprocess.Popen(["python3", "-c", {_FORGER!r}, raw_text, session_open], start_new_session=True)
    import ctypes
    queue = ctypes.CDLL(None).mq_open(b"/left-behind", os.O_CREAT | os.O_RDWR, 0o600, None)
    self.texts.append("queue" if queue >= 0 else "no queue")
    try:
        os.kill(os.getppid(), signal.SIGKILL)
        self.texts.append("killed the supervisor")
    except PermissionError:
        self.texts.append("the supervisor is out of reach")
    """
)
"""Disarms the harness's reset of processes; leaves a locked directory, a message queue and a process that
forges and floods once the session is over."""
FLOOD_LEFT_BEHIND = program(
    write="""
    harness = sys.modules["sandbox.harness"]
    harness._kill_other_processes = lambda: None  # only the supervisor's sweep can stop the flood
    flood = "import os, time\\nwhile True:\\n    os.write(1, b'F' * 4096)\\n    time.sleep(0.02)"
    subprocess.Popen(["python3", "-c", flood], start_new_session=True)
    self.texts.append(raw_text)
    """
)
"""Leaves a process writing 200 KB a second to the output: under the output cap of any one operation,
but the pipe is full when the supervisor sweeps and writes its marker."""
SYSV_SQUATTER = program(
    write="""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    segment = libc.shmget(0, 1 << 20, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600: outlives every process
    self.texts.append("segment" if segment >= 0 else f"shmget failed: {ctypes.get_errno()}")
    """
)
"""Leaves a System V shared memory segment, which no process holds and no file shows."""
REPORTER = program(
    read="""
    import tempfile
    mine = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            with open(f"/proc/{pid}/status") as status:
                uid = next(line.split()[1] for line in status if line.startswith("Uid:"))
            if uid == str(os.getuid()):
                mine.append(open(f"/proc/{pid}/cmdline").read().replace("\\0", " ")[:80])
    left = {"tmp": os.listdir(tempfile.gettempdir()), "mqueue": os.listdir("/dev/mqueue")}
    return json.dumps({"texts": self.texts, "processes": mine, **left})
    """
)
"""Reports what it can see of other programs: its user's processes, /tmp and POSIX message queues."""
