#!/usr/bin/env python3
"""deploy/ stays true to the binary without Docker or systemd running:

- `dockerfile`: the image's build stage runs the scripts README and CI run; its runtime stage
  installs a Debian package for every library `ldd warroom` shows (found with `dpkg -S`), so the
  image does not fail at start with a missing .so; and it keeps the operational settings
  (non-root user, volume, database path, healthcheck, stop signal).
- `unit`: `systemd-analyze verify` accepts deploy/warroom.service without a single complaint
  (it only warns about unknown keys and bad values, so any line about the unit fails the test).

Usage: test_deploy.py dockerfile|unit BINARY
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DEPLOY = os.path.join(ROOT, "deploy")
# In debian:bookworm-slim already.
BASE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1"}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


_closure = None


# What apt installs with the listed packages: their Depends and Pre-Depends,
# recursively, as this machine's dpkg knows them (libpq5 brings Kerberos,
# LDAP and GnuTLS, which the Dockerfile need not name one by one).
def pulled_in(wanted):
    global _closure
    if _closure is not None:
        return _closure
    seen, todo = set(), list(wanted)
    while todo:
        pkg = todo.pop()
        if pkg in seen:
            continue
        seen.add(pkg)
        r = subprocess.run(["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", pkg], capture_output=True, text=True)
        if r.returncode != 0:
            continue
        for alternative in r.stdout.split(","):
            name = alternative.split("|")[0].strip().split(" ")[0].split(":")[0]
            if name:
                todo.append(name)
    _closure = seen
    return seen


def check_dockerfile(binary):
    text = open(os.path.join(DEPLOY, "Dockerfile"), encoding="utf-8").read()
    stages = re.split(r"(?m)^FROM\s+", text)[1:]
    if len(stages) != 2:
        fail(f"expected a build stage and a runtime stage, found {len(stages)}")
    build, final = stages
    for script in ("scripts/install-deps.sh", "scripts/build.sh"):
        if not re.search(r"(?m)^RUN\b.*" + re.escape(script) + r"|^\s+" + re.escape(script), build):
            fail(f"the build stage does not run {script}, which README and CI use")
    if not final.startswith("debian:bookworm"):
        fail("the runtime stage is not Debian bookworm: " + final.splitlines()[0])
    install = re.search(r"apt-get install(.*?)(?:&&|$)", final.replace("\\\n", " "), re.S)
    if not install:
        fail("the runtime stage installs no packages")
    wanted = {w for w in install.group(1).split() if not w.startswith("-")}

    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libs = re.findall(r"=>\s+(/\S+)", ldd)
    missing = []
    for lib in libs:
        if re.match(r"lib(asan|ubsan|lsan|tsan)\.", os.path.basename(lib)):
            continue  # a sanitized build (scripts/test-sanitized.sh), not what the image ships
        real = os.path.realpath(lib)
        owner = None
        for path in (lib, real, lib.replace("/lib/", "/usr/lib/", 1), real.replace("/lib/", "/usr/lib/", 1)):
            r = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
            if r.returncode == 0:
                owner = r.stdout.split(":")[0].strip()
                break
        if owner is None:
            fail(f"no Debian package owns {lib}; the image could not provide it")
        if owner not in wanted and owner not in BASE_PACKAGES and owner not in pulled_in(wanted):
            missing.append(f"{owner} (for {os.path.basename(lib)})")
    if missing:
        fail("the runtime stage does not install " + ", ".join(missing))
    for pkg in ("tzdata", "ca-certificates"):
        if pkg not in wanted:
            fail(f"the runtime stage needs {pkg}")
    # Loaded on first use (dlopen), so ldd does not show them: PostgreSQL (storage/libpq_api.hpp)
    # and e-mail (bot/email/libcurl_api.hpp) would fail only when first used.
    for pkg, lib in (("libpq5", "libpq.so.5"), ("libcurl4", "libcurl.so.4")):
        if pkg not in wanted:
            fail(f"the runtime stage needs {pkg}: warroom loads {lib} when it is first used")
    for needle in ("USER warroom", "VOLUME /var/lib/warroom", "WARROOM_DB=/var/lib/warroom/warroom.db",
                   "WARROOM_LISTEN=0.0.0.0:3000", "EXPOSE 3000", "STOPSIGNAL SIGTERM",
                   'CMD ["warroom", "healthcheck"]', 'ENTRYPOINT ["warroom"]'):
        if needle not in final:
            fail(f"the runtime stage lacks {needle!r}")
    # The healthcheck subcommand the image relies on exists in this binary.
    r = subprocess.run([binary, "healthcheck", "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        fail("warroom has no healthcheck subcommand")
    ignore = open(os.path.join(ROOT, ".dockerignore"), encoding="utf-8").read().split()
    for entry in (".git", "build", "build-*"):
        if entry not in ignore:
            fail(f".dockerignore should leave out {entry}")
    print(f"ok: the image installs {', '.join(sorted(wanted))}; ldd needs {len(libs)} libraries, all covered")


def check_unit(binary):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print("skipped: no systemd-analyze")
        return
    text = open(os.path.join(DEPLOY, "warroom.service"), encoding="utf-8").read()
    # verify checks that ExecStart is executable: point it at the binary just built.
    text = text.replace("/usr/local/bin/warroom", os.path.abspath(binary))
    with tempfile.TemporaryDirectory() as d:
        unit = os.path.join(d, "warroom.service")
        with open(unit, "w", encoding="utf-8") as f:
            f.write(text)
        r = subprocess.run([analyze, "verify", unit], capture_output=True, text=True)
        complaints = [l for l in (r.stdout + r.stderr).splitlines() if "warroom.service" in l]
        if r.returncode != 0 or complaints:
            fail(f"systemd-analyze verify (exit {r.returncode}):\n" + (r.stdout + r.stderr))
    print("ok: systemd-analyze verify has nothing to say about deploy/warroom.service")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("dockerfile", "unit"):
        sys.exit(__doc__)
    binary = sys.argv[2]
    (check_dockerfile if sys.argv[1] == "dockerfile" else check_unit)(binary)


if __name__ == "__main__":
    main()
