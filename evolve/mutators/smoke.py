"""A smoke run of a memory program: load it, write two short sessions, read once, within a deadline.

Mutators run it on every child before handing the child to evaluation, so that a child that fails the
contract, crashes or hangs costs milliseconds instead of a whole evaluation. It proves nothing about
quality. Where it runs is the caller's choice of `session_factory`: in-process (the default) for the
offline mutator, whose children only recombine and retune trusted programs; in the run's sandbox for the
reflective mutator, whose children are code a model wrote (`evolve.run.mutator_factory`).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from evaluators.conversation.offline_agent import OfflineAgent
from providers.embedders import HashedLexicalEmbedder
from sandbox.session import Capabilities, InProcessSession, MemorySession, ProgramFailure, SessionFactory

SMOKE_SECONDS = 2.0
SMOKE_SESSIONS = (
    "[session_1 | 2:15 pm on 8 May, 2023]\n"
    "Maya: I adopted a grey cat named Pixel yesterday.\n"
    "Leo: Congratulations! How is Pixel settling in?\n"
    "Maya: She sleeps on my keyboard all day.",
    "[session_2 | 6:40 pm on 20 May, 2023]\n"
    "Leo: I started a new job at a bakery in Lisbon last week.\n"
    "Maya: That sounds lovely, do you bake bread?\n"
    "Leo: Mostly sourdough, I start at five every morning.",
)
SMOKE_QUESTION = "What is the name of Maya's cat?"
SMOKE_DATE = "9:00 am on 1 June, 2023"


@dataclass(frozen=True)
class SmokeResult:
    """`reason` is a `FailureReason` value (or "timeout", "agent") when the run failed, "" when it passed."""

    ok: bool
    reason: str = ""
    message: str = ""
    seconds: float = 0.0


def smoke_run(
    source: str,
    capabilities: Capabilities | None = None,
    seconds: float = SMOKE_SECONDS,
    session_factory: SessionFactory = InProcessSession,
) -> SmokeResult:
    """Run `source` through two writes and a read; never raises for a failing program.

    Children of trusted programs may run in-process; code an LLM wrote is given a sandbox's factory."""
    capabilities = capabilities or Capabilities(embed=HashedLexicalEmbedder())
    agent = OfflineAgent()
    started = time.perf_counter()
    session: MemorySession | None = None
    try:
        with _deadline(seconds):
            session = session_factory(source, capabilities)
            for raw_text in SMOKE_SESSIONS:
                session.write(agent.fill_item(session.description, raw_text), raw_text)
            session.read(agent.fill_query(session.description, SMOKE_QUESTION, SMOKE_DATE))
    except ProgramFailure as failure:
        return SmokeResult(False, failure.reason.value, failure.message)
    except _Overtime:
        return SmokeResult(False, "timeout", f"the smoke run took more than {seconds:g} s")
    except Exception as error:  # the agent could not fill the program's schema
        return SmokeResult(False, "agent", f"{type(error).__name__}: {error}")
    finally:
        if session is not None:
            session.close()
    elapsed = time.perf_counter() - started
    if elapsed > seconds:
        return SmokeResult(False, "timeout", f"the smoke run took {elapsed:.1f} s, more than {seconds:g} s")
    return SmokeResult(True, seconds=elapsed)


def smoke_read(source: str, seconds: float = SMOKE_SECONDS) -> tuple[tuple[str, ...], str] | None:
    """What a trusted program's `read` returns on the smoke sessions (with those sessions), or None when
    it fails: how operators check what a program does with a turn before they change it."""
    agent = OfflineAgent()
    session: MemorySession | None = None
    try:
        with _deadline(seconds):
            session = InProcessSession(source, Capabilities(embed=HashedLexicalEmbedder()))
            for raw_text in SMOKE_SESSIONS:
                session.write(agent.fill_item(session.description, raw_text), raw_text)
            output = session.read(agent.fill_query(session.description, SMOKE_QUESTION, SMOKE_DATE))[0]
    except (ProgramFailure, _Overtime):
        return None
    except Exception:  # the agent could not fill the program's schema
        return None
    finally:
        if session is not None:
            session.close()
    return SMOKE_SESSIONS, output


class _Overtime(BaseException):
    """Raised by the alarm; a BaseException so that the program's `except Exception` cannot swallow it."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds`, where a timer signal is usable (the main thread, no other
    timer running); elsewhere the caller's elapsed-time check is the only guard."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return

    def overtime(signum: int, frame: object) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, overtime)
    # Re-fire every 0.1 s: a program that catches one alarm with a bare `except:` still gets stopped.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)
