#!/usr/bin/env python3
"""Checks the layering of runtime/src (docs/architecture.md states it):

1. each folder imports only from the folders below it in LAYERS;
2. files import each other in a loop only inside `dsl/`, the typed query
   layer, and `driver/postgres/`, one protocol's client, whose connection
   set-up (hosts, TLS, authentication) and message loop call each other by
   the protocol's nature (an item re-exported by a folder's mod.rs counts
   as the file that defines it).

Prints what breaks a rule and exits 1 if anything does.

    scripts/layers.py          # check
    scripts/layers.py --graph  # also print which folder imports which
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime", "src")
# Lowest first. `lib.rs` (the crate root: re-exports, prelude, the
# macros' door) may import anything.
LAYERS = ["error", "util", "types", "entity", "driver", "dsl", "exec", "query", "write"]
# Same level: neither imports the other.
PEERS = {("driver", "dsl"), ("dsl", "driver")}

PATH = re.compile(r"crate::([a-z_]+)")
# The one folder whose files may import each other in a loop.
LOOPS_ALLOWED = ("dsl", "driver/postgres")


def folder_of(path):
    rel = os.path.relpath(path, ROOT)
    first = rel.split(os.sep)[0]
    return first[:-3] if first.endswith(".rs") else first


def file_loops():
    """Groups of files that import each other in a loop (Tarjan's SCCs)."""
    files = {}
    for root, _, names in os.walk(ROOT):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(root, name)
                module = os.path.relpath(path, ROOT)[:-3].split(os.sep)
                if module[-1] == "mod":
                    module = module[:-1]
                if module == ["lib"]:
                    module = []
                files[tuple(module)] = path
    texts = {m: open(p, encoding="utf-8").read().split("#[cfg(test)]")[0] for m, p in files.items()}
    item = re.compile(
        r"^\s*(?:pub(?:\([a-z]+\))?\s+)?(?:unsafe\s+)?(?:struct|enum|trait|fn|type|const|static|macro_rules!)\s+([A-Za-z_]\w*)",
        re.M,
    )
    defined = {}
    for module, text in texts.items():
        for name in item.findall(text):
            defined.setdefault(name, set()).add(module)

    def target(full):
        for n in range(len(full), 0, -1):
            module = tuple(full[:n])
            if module in files:
                rest = full[n:]
                if rest:
                    owners = [d for d in defined.get(rest[0], ()) if d[: len(module)] == module]
                    if module in owners:
                        return module
                    if owners:
                        return sorted(owners, key=len)[0]
                return module
        return None

    edges = {m: set() for m in files}
    for module, text in texts.items():
        path = files[module]
        facade = path.endswith("mod.rs") or path.endswith("lib.rs")
        here = list(module) if facade else list(module[:-1])
        text = "\n".join(l for l in text.split("\n") if not l.strip().startswith("//"))
        refs = []
        for kind, prefix, group in re.findall(r"\b(crate|super)((?:::\w+)*)::\{([^}]*)\}", text):
            segs = [s for s in prefix.split("::") if s]
            refs += [(kind, segs + [g.strip().split("::")[0]]) for g in group.split(",") if g.strip()]
        for kind, rest in re.findall(r"\b(crate|super)((?:::\w+)+)", text):
            refs.append((kind, [s for s in rest.split("::") if s]))
        # `use child::item` in a folder's mod.rs names its own child.
        for group_prefix, group in re.findall(r"\buse ([a-z_]\w*)::\{([^}]*)\}", text):
            refs += [("self", [group_prefix, g.strip().split("::")[0]]) for g in group.split(",") if g.strip()]
        for first, rest in re.findall(r"\buse ([a-z_]\w*)((?:::\w+)*)", text):
            refs.append(("self", [first] + [s for s in rest.split("::") if s]))
        for kind, segs in refs:
            if kind == "self":
                if not facade or tuple(here + segs[:1]) not in files:
                    continue
                full = here + segs
            else:
                full = segs if kind == "crate" else (here[:-1] if facade else here) + segs
            t = target(full)
            if t is not None and t != module:
                edges[module].add(t)
    index, low, stack, on, loops = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                loops.append(sorted("/".join(m) or "lib" for m in group))

    for v in edges:
        if v not in index:
            visit(v)
    return loops


def main():
    graph = {}
    bad = []
    for root, _, files in os.walk(ROOT):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(root, name)
            here = folder_of(path)
            if here == "lib":
                continue
            text = open(path, encoding="utf-8").read()
            # Tests may reach anywhere.
            text = text.split("#[cfg(test)]")[0]
            for lineno, line in enumerate(text.split("\n"), 1):
                if line.lstrip().startswith("//"):
                    continue
                for target in PATH.findall(line):
                    if target in ("dialects",) or target == here:
                        continue
                    if target not in LAYERS:
                        continue
                    graph.setdefault(here, set()).add(target)
                    upward = LAYERS.index(target) > LAYERS.index(here) or (here, target) in PEERS
                    if upward:
                        bad.append(f"{os.path.relpath(path, ROOT)}:{lineno}: `{here}` imports `{target}`")
    if "--graph" in sys.argv:
        for layer in LAYERS:
            print(f"{layer:>7} -> {', '.join(sorted(graph.get(layer, ()))) or '-'}")
    for group in file_loops():
        if not any(all(m == a or m.startswith(a + "/") for m in group) for a in LOOPS_ALLOWED):
            bad.append(f"files importing each other in a loop: {', '.join(group)}")
    for b in bad:
        print(b)
    if bad:
        print(f"{len(bad)} imports against the layering (lowest first: {', '.join(LAYERS)})")
        sys.exit(1)


if __name__ == "__main__":
    main()
