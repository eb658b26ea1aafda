"""How long ``manage.py check`` takes, and what each layer adds to it.

    python -m bench.startup [--runs 7] [--dev-dependencies]

Prints the median wall time of ``manage.py check`` over several runs, then, from one run under
``python -X importtime``, the import time of Bastion's own layers (src, adapters, contexts,
kernel: their own modules only) and of the third-party packages they pull in, largest first.

It runs in a virtual environment with the production dependencies only (requirements/base.txt,
created once under var/bench-venv): development tools change what the libraries import (DRF
imports requests and pygments, dependency-injector werkzeug, when they are installed), which
would inflate the numbers. ``--dev-dependencies`` measures the current environment instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("src", "contexts", "adapters", "kernel")


PRODUCTION_VENV = ROOT / "var" / "bench-venv"
PYTHON = sys.executable


def production_python() -> str:
    """The interpreter of a venv holding only requirements/base.txt (created on first use)."""
    python = PRODUCTION_VENV / "bin" / "python"
    stamp = PRODUCTION_VENV / ".installed"
    requirements = ROOT / "requirements" / "base.txt"
    if not stamp.exists() or stamp.stat().st_mtime < requirements.stat().st_mtime:
        subprocess.run([sys.executable, "-m", "venv", str(PRODUCTION_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--require-hashes", "-r",
             str(requirements)],
            check=True,
            timeout=600,
        )  # fmt: skip
        stamp.touch()
    return str(python)


def check_command() -> list[str]:
    return [PYTHON, str(ROOT / "manage.py"), "check"]


def wall_times(runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(check_command(), env=env, check=True, capture_output=True, timeout=60)
        times.append(time.perf_counter() - started)
    return times


def import_profile(env: dict[str, str]) -> dict[str, float]:
    """Self time (ms) of imports, grouped by top-level package."""
    output = subprocess.run(
        [PYTHON, "-X", "importtime", *check_command()[1:]],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stderr
    groups: dict[str, float] = defaultdict(float)
    for line in output.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        groups[name.strip().split(".")[0]] += int(self_us) / 1000
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dev-dependencies", action="store_true")
    args = parser.parse_args()
    global PYTHON  # noqa: PLW0603  (one setting for the whole run)
    if not args.dev_dependencies:
        PYTHON = production_python()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "src.settings.dev", "PYTHONPATH": str(ROOT)}
    subprocess.run(check_command(), env=env, check=True, capture_output=True)  # warm .pyc
    times = wall_times(args.runs, env)
    print(
        f"manage.py check: median {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, {args.runs} runs; target <= 0.5 s)"
    )
    groups = import_profile(env)
    total = sum(groups.values())
    ours = {name: groups.pop(name, 0.0) for name in FIRST_PARTY}
    print(f"\nimport time, self, by package (total {total:.0f} ms):")
    print("  Bastion's layers:")
    for name, ms in ours.items():
        print(f"    {name:<24}{ms:>7.1f} ms")
    print("  largest third-party packages:")
    for name, ms in sorted(groups.items(), key=lambda item: -item[1])[:12]:
        print(f"    {name:<24}{ms:>7.1f} ms")


if __name__ == "__main__":
    main()
