#!/usr/bin/env python3
"""Instructions per object in a callgrind output file: the self cost (first
event, Ir) summed by ELF object, all threads, and the file's total.

    cg-objects.py callgrind.out [NAME_SUBSTRING]

Prints "total=N" and one "object=PATH ir=N" line per object, largest first;
with NAME_SUBSTRING also "match=N", the sum over objects whose path holds it
(e.g. fio-loopback-nvme.so: the engine's share of the process).
Used by test/bench/run-fio-ceiling.sh.
"""
import re
import sys


def objects(path):
    names = {}
    per_obj = {}
    total = None
    ob = "?"
    skip_next_cost = False
    name_re = re.compile(r"^\((\d+)\)(?: (.*))?$")

    def resolve(value):
        m = name_re.match(value)
        if not m:
            return value
        if m.group(2) is not None:
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), value)

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                if skip_next_cost:
                    skip_next_cost = False  # a call's inclusive cost, not self
                    continue
                fields = line.split()
                if len(fields) >= 2:
                    per_obj[ob] = per_obj.get(ob, 0) + int(fields[1])
                continue
            if line.startswith("ob="):
                ob = resolve(line[3:])
            elif line.startswith("cob="):
                resolve(line[4:])
            elif line.startswith("calls="):
                skip_next_cost = True
            elif line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
    return per_obj, total


def main():
    per_obj, total = objects(sys.argv[1])
    self_sum = sum(per_obj.values())
    print(f"total={total if total is not None else self_sum}")
    for name, ir in sorted(per_obj.items(), key=lambda kv: -kv[1]):
        print(f"object={name} ir={ir}")
    if len(sys.argv) > 2:
        print(f"match={sum(ir for name, ir in per_obj.items() if sys.argv[2] in name)}")


if __name__ == "__main__":
    main()
