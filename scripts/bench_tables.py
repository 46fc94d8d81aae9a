#!/usr/bin/env python3
"""Turns the output of `scripts/bench.sh --peers` into the Markdown tables
of docs/performance.md, and checks foal's ratio against each peer's.

    scripts/bench.sh --peers 2>&1 | tee run.log
    scripts/bench_tables.py run.log
"""
import re
import sys

TITLES = {"sqlite": "SQLite (in memory)", "postgres": "PostgreSQL", "mysql": "MariaDB"}
PEERS = [("diesel", "Diesel"), ("sqlx", "SQLx"), ("seaorm", "SeaORM")]


def parse(lines):
    """{backend: {library: {(workload, size): (time, hand, ratio)}}}, and
    the servers' versions as scripts/bench.sh printed them."""
    runs = {}
    versions = {}
    for line in lines:
        started = re.search(r"starting (PostgreSQL|MariaDB) \(([0-9.]+)", line)
        if started:
            backend = "postgres" if started.group(1) == "PostgreSQL" else "mysql"
            versions[backend] = started.group(2)
        parts = line.split()
        if len(parts) < 7 or parts[0] not in TITLES:
            continue
        backend, library = parts[0], parts[1]
        workload = " ".join(parts[2:-4])
        size, time, hand, ratio = parts[-4], *map(float, parts[-3:])
        runs.setdefault(backend, {}).setdefault(library, {})[(workload, int(size))] = (time, hand, ratio)
    return runs, versions


def main():
    source = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    runs, versions = parse(source)
    behind = []
    worst = 0.0
    for backend, libraries in runs.items():
        foal = libraries.get("foal", {})
        peers = [(key, title) for key, title in PEERS if key in libraries]
        version = f" {versions[backend]}" if backend in versions else ""
        print(f"### {TITLES[backend]}{version}\n")
        head = ["workload", "N", "by hand µs", "foal µs", "foal ratio"]
        for _, title in peers:
            head += [f"{title} µs", f"{title} ratio"]
        print("| " + " | ".join(head) + " |")
        print("|---|" + "---:|" * (len(head) - 1))
        for (workload, size), (time, hand, ratio) in foal.items():
            worst = max(worst, ratio)
            cells = [workload, str(size), f"{hand:.2f}", f"{time:.2f}", f"**{ratio:.3f}**"]
            for key, title in peers:
                peer = libraries[key].get((workload, size))
                if peer is None:
                    cells += ["", ""]
                    behind.append(f"{backend} {workload} {size}: no {title} result")
                    continue
                cells += [f"{peer[0]:.2f}", f"{peer[2]:.3f}"]
                if peer[2] <= ratio:
                    behind.append(f"{backend} {workload} {size}: {title} {peer[2]:.3f} <= foal {ratio:.3f}")
            print("| " + " | ".join(cells) + " |")
        print()
    print(f"foal's worst ratio: {worst:.3f}")
    pairs = sum(len(libs.get("foal", {})) for libs in runs.values())
    if behind:
        print(f"foal is not ahead of every peer on {len(behind)} cell(s):")
        print("\n".join(behind))
    else:
        print(f"foal's ratio is ahead of every peer's on all {pairs} workload/backend pairs")


if __name__ == "__main__":
    main()
