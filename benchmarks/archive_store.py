"""How fast the archive records evaluations with 1 and 2 writer processes, and how fast it answers.

Each writer process opens its own `ArchiveStore` and records new evaluations (one transaction each,
with a realistic payload: metrics, per-category scores, costs and 20 log lines) as fast as it can;
the throughput is all evaluations over the wall time from the common start to the last one. Reads:
the median time of `find_evaluation` (the check before every evaluation) and of `best_programs` over
the whole archive. SQLite runs on a temporary file; `--postgres` also measures a throwaway PostgreSQL
cluster (Debian's `postgresql`). Results go to benchmarks/results/archive_store.md.

    python benchmarks/archive_store.py --evaluations 2000 --postgres
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import ArchiveStore

RESULTS = Path(__file__).parent / "results" / "archive_store.md"
DOMAIN = "conversation"
CATEGORIES = ("single_hop", "multi_hop", "temporal", "open_domain", "adversarial")


def _payload(n: int) -> dict:
    score = (n % 97) / 97
    metrics = {f"metric_{i}": score for i in range(10)}
    return {
        "domain": DOMAIN,
        "split": "select",
        "agent": "offline",
        "data_name": "synthetic",
        "data_fingerprint": f"fp-{n % 3}",
        "status": "ok",
        "score": score,
        "metrics": metrics,
        "by_category": {category: dict(metrics) for category in CATEGORIES},
        "cost": {"read_chars": 2900.0, "llm_calls": 0.0, "write_seconds": 0.002, "read_seconds": 0.004},
        "logs": [f"log line {i} of evaluation {n}: " + "x" * 50 for i in range(20)],
    }


def _write(url: str, program_ids: list[str], start: int, barrier, done) -> None:
    store = ArchiveStore(url)
    barrier.wait()
    for offset, program_id in enumerate(program_ids):
        store.record_evaluation(program_id, worker=f"pid-{os.getpid()}", **_payload(start + offset))
    done.put(time.perf_counter())
    store.close()


def measure(url: str, evaluations: int, writers: int) -> dict[str, float]:
    store = ArchiveStore(url)
    run = store.create_run(DOMAIN, {}, seed=0)
    program_ids = [
        store.add_program(f"TOP_K = {n}\n# writers={writers}\n", DOMAIN, run_id=run.id).id
        for n in range(evaluations)
    ]
    context = multiprocessing.get_context("fork")
    barrier, done = context.Barrier(writers + 1), context.Queue()
    share = evaluations // writers
    processes = [
        context.Process(
            target=_write, args=(url, program_ids[i * share : (i + 1) * share], i * share, barrier, done)
        )
        for i in range(writers)
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    finished = max(done.get(timeout=600) for _ in processes)
    for process in processes:
        process.join()
    written = share * writers
    find_times = []
    for n, program_id in enumerate(program_ids[:200]):
        payload = _payload(n)
        began = time.perf_counter()
        store.find_evaluation(program_id, DOMAIN, "select", payload["data_fingerprint"], "offline")
        find_times.append(time.perf_counter() - began)
    best_times = []
    for _ in range(5):
        began = time.perf_counter()
        store.best_programs(DOMAIN, limit=10)
        best_times.append(time.perf_counter() - began)
    store.close()
    return {
        "per_second": written / (finished - started),
        "find_ms": statistics.median(find_times) * 1000,
        "best_ms": statistics.median(best_times) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true", help="also measure a throwaway PostgreSQL cluster")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for writers in (1, 2):
            url = f"sqlite:///{Path(folder) / f'archive-{writers}.db'}"
            rows.append(("SQLite (WAL)", writers, measure(url, args.evaluations, writers)))
    if args.postgres:
        from tests.archive.postgres_server import PostgresServer, ThrowawayCluster, postgres_bindir

        bindir = postgres_bindir()
        if bindir is None:
            raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
        cluster = ThrowawayCluster(bindir)
        try:
            server = PostgresServer(cluster.start())
            for writers in (1, 2):
                url = server.new_database()
                rows.append(
                    (f"PostgreSQL {bindir.parent.name}", writers, measure(url, args.evaluations, writers))
                )
            server.close()
        finally:
            cluster.stop()

    lines = [
        "# Archive store speed",
        "",
        f"`python benchmarks/archive_store.py --evaluations {args.evaluations}"
        + (" --postgres`" if args.postgres else "`"),
        f"on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "New evaluations recorded by 1 or 2 writer processes at once (one transaction each, realistic",
        "payload, no cases); reads measured afterwards on the same archive. The cores are shared with",
        "whatever else runs, so take the numbers as orders of magnitude (load average before the",
        f"benchmark: {load_before:.1f}, after: {os.getloadavg()[0]:.1f}).",
        "",
        "| backend | writers | evaluations/s | find_evaluation (median ms) | best_programs (median ms) |",
        "|---|---|---|---|---|",
    ]
    for backend, writers, numbers in rows:
        lines.append(
            f"| {backend} | {writers} | {numbers['per_second']:.0f} | {numbers['find_ms']:.2f} "
            f"| {numbers['best_ms']:.1f} |"
        )
    lines.append("")
    if args.postgres:
        lines.append(
            "The PostgreSQL cluster runs with fsync=off (a throwaway test cluster), which flatters it."
        )
        lines.append("")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
