#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the fuzzer's seed corpus, Fuzz/Corpus: a few inputs that each spell a meaningful sequence of operations.

The byte values follow the decoding in Fuzz/Sources/RundownFuzz: the first byte picks the target
(FuzzTarget.all), each operation is one byte (FuzzModelDriver.Operation or ProtectedDriver.Operation, in
declaration order), and the bytes after it are its arguments, taken only when the operation needs them (a release
takes the index of the holding only if there is one; a wait takes its timeout only if it has holders to wait for).
A choice `chance(p)` is true for a byte below p, so 0 means yes and 99 means no. Any bytes decode to some sequence,
so a seed that drifts out of step with the decoding still works; regenerate after changing the order of targets or
operations, and read a seed back with `RUNDOWN_FUZZ_TRACE=1 .../RundownFuzz Fuzz/Corpus/NAME`.

Usage: Fuzz/seed-corpus.py
"""
import os

YES, NO = 0, 99

TARGETS = [
    "plain", "plain-recording", "cacheAware", "cacheAware-recording", "cacheAwareAtomic", "cacheAwareAtomic-recording",
    "cacheAware-one-slot", "engine", "engine-recording", "protected", "protected-recording", "protected-per-cpu",
    "protected-per-cpu-recording",
]
OPERATIONS = [
    "acquireGuard", "acquireUnguarded", "release", "enterScope", "leaveScope", "begin", "beginWithCallback", "wait",
    "reInitialize", "describe",
]
PROTECTED_OPERATIONS = ["read", "leave", "replace", "retire", "describe"]


def op(name):
    return [OPERATIONS.index(name)]


def count(n):
    """The bytes of ModelDriver.chooseCount for `n` holders."""
    if n == 1:
        return [YES]
    if n <= 4:
        return [NO, YES, n - 1]
    return [NO, NO, (n - 1) >> 8, (n - 1) & 0xFF]


def guard(n=1, count_form=False):
    return op("acquireGuard") + count(n) + ([YES if count_form else NO] if n == 1 else [])


def unguarded(n=1):
    return op("acquireUnguarded") + count(n)


def release_guard(index=0, held=1, drop=False):
    """Releases the guard at `index` of the `held` holdings (the index is a choice only among two or more)."""
    return op("release") + ([index] if held > 1 else []) + [YES if drop else NO]


def release_unguarded(index=0, held=1):
    return op("release") + ([index] if held > 1 else [])


def scope(if_available=False):
    return op("enterScope") + [YES if if_available else NO]


def wait(negative=None):
    """A wait; `negative` (True or False) only when holders are inside, which makes it a timed one."""
    return op("wait") + ([] if negative is None else [NO if negative else YES])


def p(name, *arguments):
    return [PROTECTED_OPERATIONS.index(name), *arguments]


def read(if_available=False):
    return p("read", YES if if_available else NO)


def replace(bounded=True):
    return p("replace", YES) + [YES] if bounded else p("replace", NO)


def retire(bounded=True):
    return p("retire", YES) + [YES] if bounded else p("retire", NO)


SEEDS = {
    "plain-guards-and-callbacks": ["plain",
        guard(), guard(3), unguarded(2), op("beginWithCallback"), wait(negative=False), op("describe"),
        release_guard(0, held=3, drop=True), release_guard(0, held=2), release_unguarded(0), op("reInitialize"),
        guard(1, count_form=True), op("begin")],
    "cache-aware-nested-scopes": ["cacheAware",
        scope(), guard(), scope(if_available=True), op("begin"), scope(), op("leaveScope"), release_guard(),
        op("beginWithCallback"), op("leaveScope"), op("reInitialize"), wait(), op("reInitialize"), unguarded()],
    "cache-aware-atomic-generations": ["cacheAwareAtomic",
        guard(2), op("begin"), release_guard(drop=True), op("reInitialize"), guard(), op("beginWithCallback"),
        op("beginWithCallback"), release_guard(), op("reInitialize"), op("begin"), op("reInitialize")],
    "cache-aware-one-slot-counts": ["cacheAware-one-slot",
        unguarded(300), guard(4), op("begin"), wait(negative=False), release_guard(1, held=2), release_unguarded(),
        op("reInitialize"), unguarded(65_536), op("describe")],
    "engine-scopes-and-waits": ["engine",
        unguarded(), scope(), unguarded(3), op("beginWithCallback"), wait(negative=True), release_unguarded(1, held=2),
        op("leaveScope"), release_unguarded(), op("reInitialize"), op("describe")],
    "recording-guards-and-scopes": ["plain-recording",
        guard(), guard(2), scope(), release_guard(0, held=2, drop=True), op("describe"), op("leaveScope"), op("begin"),
        release_guard()],
    "recording-cache-aware": ["cacheAware-recording",
        guard(), unguarded(2), release_unguarded(1, held=2), scope(if_available=True), op("begin"), op("leaveScope"),
        op("describe"), release_guard()],
    "protected-deferred-teardown": ["protected",
        read(), replace(), read(if_available=True), p("describe"), p("leave"), replace(), retire(), p("leave"),
        replace(bounded=False), retire(), read(), retire(bounded=False)],
    "protected-parked-retirement": ["protected-recording",
        read(), retire(), read(if_available=True), p("leave"), replace(), retire(bounded=False), retire(),
        p("describe")],
    "protected-per-cpu-replacements": ["protected-per-cpu",
        read(), read(if_available=True), replace(), p("leave"), read(), replace(), p("describe"), p("leave"),
        p("leave"), replace(bounded=False), read(), retire(), p("leave"), retire(bounded=False)],
    "protected-per-cpu-recording": ["protected-per-cpu-recording",
        read(), replace(), p("describe"), p("leave"), read(if_available=True), retire(), p("leave"), p("describe")],
}


def main():
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus")
    os.makedirs(folder, exist_ok=True)
    for name, (target, *steps) in SEEDS.items():
        data = bytes([TARGETS.index(target)] + [byte for step in steps for byte in step])
        with open(os.path.join(folder, name), "wb") as file:
            file.write(data)
        print("%s: %d bytes" % (name, len(data)))


if __name__ == "__main__":
    main()
