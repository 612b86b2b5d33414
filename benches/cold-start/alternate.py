#!/usr/bin/env python3
"""Runs commands in alternation, ROUNDS times each, and prints their wall-clock and CPU times.

    benches/cold-start/alternate.py ROUNDS NAME=COMMAND [NAME=COMMAND ...]

Each round runs every command once, in the order given, so a change in the machine's load
falls on all of them alike. For each command: the median, the mean of the faster half and the
minimum of the wall-clock time, and the median and faster-half mean of the CPU time (user and
system, of the command and its children). Output goes to /dev/null. What hyperfine -N does,
without its warm-up and statistics, for machines where it is not installed.
"""
import resource
import shlex
import statistics
import subprocess
import sys
import time


def main() -> None:
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    commands = []
    for arg in sys.argv[2:]:
        name, _, command = arg.partition("=")
        commands.append((name, shlex.split(command)))
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

    def faster_half(values):
        values = sorted(values)
        return statistics.mean(values[: max(1, len(values) // 2)])

    for name, _ in commands:
        w, c = wall[name], cpu[name]
        print(
            f"{name:16} wall: median {statistics.median(w):6.2f} ms, faster half {faster_half(w):6.2f},"
            f" min {min(w):6.2f} | cpu: median {statistics.median(c):6.2f}, faster half {faster_half(c):6.2f}"
        )


if __name__ == "__main__":
    main()
