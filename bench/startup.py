"""How long ``manage.py check`` takes, and what each layer adds to it.

    python -m bench.startup [--runs 15] [--dev-dependencies] [--instructions]

Times these commands side by side, interleaved round by round so that noise on the machine
hits all of them alike, and prints the median and fastest wall time of each:

  python              the interpreter alone (``python -c pass``)
  bare Django         ``manage.py check`` of a project fresh from ``django-admin startproject``
  app, SQLite     ``manage.py check`` with the development settings (the default)
  app, PostgreSQL the same with ``DATABASE_URL`` set (``check`` does not connect)
  app, untuned    the SQLite run without src/startup.py's two measures, to show their worth

``--instructions`` also counts the instructions each command executes (valgrind's callgrind):
unlike wall time they do not depend on what else the machine is doing.

Then, from one run under ``python -X importtime``, the import time of the app's own layers
(src, adapters, contexts, kernel: their own modules) and of the packages they pull in.

It runs in a virtual environment with the production dependencies only (requirements/base.txt,
created once under var/bench-venv): development tools change what the libraries import (DRF
imports requests and pygments, dependency-injector werkzeug, when they are installed), which
would inflate the numbers. ``--dev-dependencies`` measures the current environment instead.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("src", "contexts", "adapters", "kernel")
PRODUCTION_VENV = ROOT / "var" / "bench-venv"
TARGET_SECONDS = 0.5
# What each measured command is compared with: the layer it adds to.
LAYER_BELOW = {
    "bare Django": "python",
    "app, SQLite": "bare Django",
    "app, PostgreSQL": "bare Django",
    "app, untuned": "bare Django",
}

# manage.py with src/startup.py's measures turned into no-ops: what the app would cost without.
UNTUNED = (
    "import runpy, sys; from src import startup; "
    "startup.begin = lambda: None; startup.skip_drf_postgres_probe = lambda databases: None; "
    "sys.argv = ['manage.py', 'check']; runpy.run_path('manage.py', run_name='__main__')"
)


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


def bare_django_project(python: str, directory: Path) -> Path:
    """A project straight from ``django-admin startproject``: the framework's own floor."""
    subprocess.run(
        [python, "-m", "django", "startproject", "floor", str(directory)],
        check=True,
        timeout=60,
    )
    return directory / "manage.py"


def run(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True, timeout=60)
    return time.perf_counter() - started


def stderr_of(command: list[str], env: dict[str, str], cwd: Path) -> str:
    """What ``command`` reports on stderr (importtime and valgrind both write there)."""
    return subprocess.run(
        command, env=env, cwd=cwd, check=True, capture_output=True, text=True, timeout=600
    ).stderr


def import_profile(python: str, env: dict[str, str]) -> dict[str, float]:
    """Self time (ms) of imports during ``manage.py check``, by top-level package."""
    output = stderr_of([python, "-X", "importtime", "manage.py", "check"], env, ROOT)
    groups: dict[str, float] = defaultdict(float)
    for line in output.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        groups[name.strip().split(".")[0]] += int(self_us) / 1000
    return groups


def instructions(command: list[str], env: dict[str, str], cwd: Path) -> int:
    """Instructions executed, counted by valgrind's callgrind: the same on every run."""
    with tempfile.NamedTemporaryFile(prefix="callgrind-") as out:
        callgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}"]
        report = stderr_of([*callgrind, *command], env, cwd)
    collected = re.search(r"Collected : (\d+)", report)
    if collected is None:
        raise RuntimeError(f"callgrind printed no count:\n{report}")
    return int(collected.group(1))


def report_times(times: dict[str, list[float]]) -> None:
    runs = len(next(iter(times.values())))
    print(f"wall time, {runs} interleaved runs each (the app's target: <= {TARGET_SECONDS} s)")
    print(f"  {'':<22}{'median':>8}{'fastest':>9}   median over the layer below")
    medians = {name: statistics.median(samples) for name, samples in times.items()}
    for name, samples in times.items():
        below = LAYER_BELOW.get(name)
        adds = (
            f"   {1000 * (medians[name] - medians[below]):+4.0f} ms, "
            f"{medians[name] / medians[below]:.2f}x {below}"
            if below
            else ""
        )
        print(f"  {name:<22}{medians[name]:>7.3f}s{min(samples):>8.3f}s{adds}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--dev-dependencies", action="store_true")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions with valgrind (deterministic; about a minute)",
    )
    args = parser.parse_args()
    python = sys.executable if args.dev_dependencies else production_python()

    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONDONTWRITEBYTECODE"}
    }
    app_env = {**base, "DJANGO_SETTINGS_MODULE": "src.settings.dev", "PYTHONPATH": str(ROOT)}
    postgres = {**app_env, "DATABASE_URL": "postgres://app@127.0.0.1:5432/app"}
    with tempfile.TemporaryDirectory(prefix="startup-") as scratch:
        floor = bare_django_project(python, Path(scratch))
        commands: dict[str, tuple[list[str], dict[str, str], Path]] = {
            "python": ([python, "-c", "pass"], base, ROOT),
            "bare Django": ([python, str(floor), "check"], base, floor.parent),
            "app, SQLite": ([python, "manage.py", "check"], app_env, ROOT),
            "app, PostgreSQL": ([python, "manage.py", "check"], postgres, ROOT),
            "app, untuned": ([python, "-c", UNTUNED], app_env, ROOT),
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command, env, cwd in commands.values():
            run(command, env, cwd)  # writes the .pyc files, fills the page cache
        for _ in range(args.runs):
            for name, (command, env, cwd) in commands.items():
                times[name].append(run(command, env, cwd))
        report_times(times)

        if args.instructions:
            counts = {name: instructions(*commands[name]) for name in commands if name != "python"}
            print("\ninstructions executed (valgrind --tool=callgrind)")
            floor_count = counts["bare Django"]
            for name, count in counts.items():
                print(f"  {name:<22}{count / 1e9:>6.2f} G   {count / floor_count:.2f}x bare Django")

    groups = import_profile(python, app_env)
    total = sum(groups.values())
    ours = {name: groups.pop(name, 0.0) for name in FIRST_PARTY}
    print(f"\nimport time of the app's check, self, by package (total {total:.0f} ms):")
    print("  the app's layers:")
    for name, ms in ours.items():
        print(f"    {name:<24}{ms:>7.1f} ms")
    print("  largest other packages:")
    for name, ms in sorted(groups.items(), key=lambda item: -item[1])[:14]:
        print(f"    {name:<24}{ms:>7.1f} ms")


if __name__ == "__main__":
    main()
