#!/usr/bin/env python3
"""Fails when a Catch2 test name holds a ';'. catch_discover_tests hands the
names to CMake as a list, so such a name is cut at the ';', the test ctest
runs matches no Catch test, and Catch exits 0: a test that can never fail.
Forty-five tests were silently skipped that way before this check."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
bad = []
for path in sorted(root.rglob("*.cpp")):
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = re.search(r'(?:TEST_CASE|SECTION|SCENARIO)\("([^"]*)"', line)
        if m and ";" in m.group(1) and "TEST_CASE" in line:
            bad.append(f"{path}:{lineno}: {m.group(1)}")
if bad:
    print("Catch2 test names with ';' never run under ctest; use ',' instead:")
    print("\n".join(bad))
    sys.exit(1)
print(f"test names under {root}: none holds ';'")
