#!/usr/bin/env python3
"""Clang's thread-safety analysis over the project's own translation units.

The ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED / ABSL_LOCKS_EXCLUDED
annotations are only checked by clang (-Wthread-safety); the project is built
with g++. This script takes the build's compile_commands.json, re-runs each
selected translation unit through clang++ with -fsyntax-only (parse and
analyse, no code generation) and fails if clang reports a thread-safety
warning or any error.

Only thread-safety warnings are enabled (the build's -W flags are dropped),
and the libraries (gRPC, Abseil, protobuf) are system headers, so nothing
outside the project's own code can fail the check.

A translation unit is checked when it can contain code the analysis looks at:
it mentions absl::Mutex or a lock annotation itself, its own header does (the
class whose members it defines), or it includes a header-only class that does.
Parsing every translation unit (gRPC's headers are heavy) would take several
times as long and check nothing more. --all checks every one anyway.

Usage: check_thread_safety.py BUILD_DIR SOURCE_DIR [--clang clang++-14]
       [--jobs N] [--all] [--list] [--only REGEX]
"""

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import time

LOCK_PATTERN = re.compile(
    r"absl::Mutex|ABSL_[A-Z_]*(GUARDED_BY|LOCKS_REQUIRED|LOCKS_EXCLUDED|LOCK_FUNCTION|"
    r"ACQUIRE|RELEASE|LOCK_RETURNED|ASSERT_)")
INCLUDE_PATTERN = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
# Flags of the g++ command line that clang does not need or may not know.
DROPPED_FLAGS = re.compile(r"^(-W.*|-w|-O.*|-g.*|-fsanitize.*|-fno-sanitize.*|-fno-omit-frame-pointer)$")


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def uses_locks(path, cache):
    if path not in cache:
        cache[path] = bool(LOCK_PATTERN.search(read(path)))
    return cache[path]


def needs_check(source, source_dir, cache):
    if uses_locks(source, cache):
        return True
    stem, _ = os.path.splitext(source)
    if uses_locks(stem + ".h", cache):
        return True
    for include in INCLUDE_PATTERN.findall(read(source)):
        header = os.path.join(source_dir, include)
        header_stem, _ = os.path.splitext(header)
        header_only = not os.path.exists(header_stem + ".cc")
        if header_only and uses_locks(header, cache):
            return True
    return False


def clang_command(entry, clang):
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    out = [clang, "-fsyntax-only", "-Wthread-safety", "-Werror=thread-safety"]
    skip_next = False
    for arg in args[1:]:
        if skip_next:
            skip_next = False
            continue
        if arg in ("-o", "-c"):
            skip_next = arg == "-o"
            continue
        if DROPPED_FLAGS.match(arg):
            continue
        out.append(arg)
    return out


def check(entry, clang):
    command = clang_command(entry, clang)
    started = time.monotonic()
    result = subprocess.run(command, cwd=entry["directory"], capture_output=True, text=True)
    return entry["file"], result.returncode, result.stderr, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir")
    parser.add_argument("source_dir")
    parser.add_argument("--clang", default="clang++-14")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--all", action="store_true", help="check every translation unit")
    parser.add_argument("--list", action="store_true", help="print the selection and stop")
    parser.add_argument("--only", help="check only sources whose path matches this regex")
    options = parser.parse_args()

    source_dir = os.path.realpath(options.source_dir)
    build_dir = os.path.realpath(options.build_dir)
    with open(os.path.join(build_dir, "compile_commands.json"), encoding="utf-8") as f:
        entries = json.load(f)

    cache = {}
    selected = []
    for entry in entries:
        source = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
        own = source.startswith(source_dir + os.sep) and not source.startswith(build_dir + os.sep)
        if options.only and not re.search(options.only, source):
            continue
        if own and (options.all or needs_check(source, source_dir, cache)):
            selected.append(entry)
    if options.list:
        for entry in selected:
            print(os.path.relpath(entry["file"], source_dir))
        return 0

    started = time.monotonic()
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        for source, returncode, stderr, seconds in pool.map(lambda e: check(e, options.clang),
                                                             selected):
            name = os.path.relpath(source, source_dir)
            if returncode != 0:
                failures += 1
                print(f"FAILED {name} ({seconds:.1f} s)\n{stderr}", flush=True)
            elif stderr:
                print(f"{name}: {stderr}", flush=True)
    elapsed = time.monotonic() - started
    print(f"thread-safety analysis: {len(selected)} of {len(entries)} translation units, "
          f"{failures} failed, {elapsed:.0f} s with {options.jobs} jobs")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
