#!/usr/bin/env python3
"""Runs commands in alternation, ROUNDS times each, and prints their wall-clock and CPU times.

    benches/cold-start/alternate.py [--fresh-copies DIR] ROUNDS NAME=COMMAND [NAME=COMMAND ...]

Each round runs every command once, in the order given, so a change in the machine's load
falls on all of them alike. For each command: the median, the mean of the faster half and the
minimum of the wall-clock time, and the median and faster-half mean of the CPU time (user and
system, of the command and its children). Output goes to /dev/null. What hyperfine -N does,
without its warm-up, for machines where it is not installed.

Then each command against the last one (the reference, e.g. `regorus eval`): the median of
the per-round ratios of wall-clock and of CPU time, with a 95% bootstrap interval of that
median (2,000 resamples of the rounds, a fixed seed: the same data gives the same interval).
Ratios are paired by round, so a slow minute slows both sides of a ratio.

With `--fresh-copies DIR`, the program of each command (its first word) is first copied into
DIR and run from there, so every binary compared was written, and is cached, the same way
just before the rounds (a control: binaries built hours apart and read back from disk
differently were suspected of starting at different speeds; one test of it, the same binary
as written and as read back after being dropped from the cache, found no difference).
"""
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def faster_half(values):
    values = sorted(values)
    return statistics.mean(values[: max(1, len(values) // 2)])


def median_interval(ratios, resamples=2000, seed=20):
    """The 2.5th and 97.5th percentiles of the median over bootstrap resamples."""
    rng = random.Random(seed)
    n = len(ratios)
    medians = sorted(
        statistics.median(rng.choices(ratios, k=n)) for _ in range(resamples)
    )
    return medians[int(0.025 * resamples)], medians[int(0.975 * resamples) - 1]


def fresh_copies(commands, directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    copied = []
    for index, (name, argv) in enumerate(commands):
        source = Path(shutil.which(argv[0]) or argv[0])
        target = directory / f"{index}-{source.name}"
        target.unlink(missing_ok=True)
        shutil.copy2(source, target)
        copied.append((name, [str(target), *argv[1:]]))
    return copied


def main() -> None:
    args = sys.argv[1:]
    copies = None
    if args[:1] == ["--fresh-copies"] and len(args) > 1:
        copies, args = args[1], args[2:]
    if len(args) < 2 or not args[0].isdigit():
        sys.exit(__doc__)
    rounds = int(args[0])
    commands = []
    for arg in args[1:]:
        name, _, command = arg.partition("=")
        commands.append((name, shlex.split(command)))
    if copies:
        commands = fresh_copies(commands, copies)
    wall = {name: [] for name, _ in commands}
    cpu = {name: [] for name, _ in commands}
    for _ in range(rounds):
        for name, argv in commands:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            end = time.perf_counter()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall[name].append((end - start) * 1000)
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            cpu[name].append(used * 1000)

    for name, _ in commands:
        w, c = wall[name], cpu[name]
        print(
            f"{name:16} wall: median {statistics.median(w):6.2f} ms, faster half {faster_half(w):6.2f},"
            f" min {min(w):6.2f} | cpu: median {statistics.median(c):6.2f}, faster half {faster_half(c):6.2f}"
        )
    reference = commands[-1][0]
    for name, _ in commands[:-1]:
        parts = []
        for label, times in (("wall", wall), ("cpu", cpu)):
            ratios = [a / b for a, b in zip(times[name], times[reference]) if b > 0]
            low, high = median_interval(ratios)
            parts.append(f"{label} {statistics.median(ratios):.3f} [{low:.3f}, {high:.3f}]")
        print(f"{name:16} / {reference}: median ratio, 95% interval: " + ", ".join(parts))


if __name__ == "__main__":
    main()
