"""Encryption benchmark: our streaming EncryptingWriter vs the `age` CLI on the same file, same run.

Each contender runs in its own child process; wall time gives throughput and os.wait4's rusage
gives that child's peak RSS (ru_maxrss, the per-child form of RUSAGE_CHILDREN). A forked child
starts with the parent's resident pages counted, so this parent stays small (its own RSS is
printed as the floor of the measurement). Prints a Markdown table.
Usage: python bench/crypto_bench.py [--size-mb 1024] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pyrage import x25519

OURS = """
import sys
from pathlib import Path
from pyrage import x25519
from frigate_privacy.crypto.age import EncryptingWriter
recipient = x25519.Recipient.from_str(sys.argv[1])
# Like an export producer: push 1 MiB plaintext chunks into the writer.
with open(sys.argv[2], "rb") as src, EncryptingWriter(Path(sys.argv[3]), recipients=[recipient]) as out:
    while chunk := src.read(1 << 20):
        out.write(chunk)
"""

PYRAGE_FILE = """
import sys
import pyrage
from pyrage import x25519
pyrage.encrypt_file(sys.argv[2], sys.argv[3], [x25519.Recipient.from_str(sys.argv[1])])
"""


@dataclass
class Result:
    name: str
    seconds: float
    peak_rss_mb: float


def make_input(path: Path, size_mb: int) -> None:
    """Random-ish data: a 1 MiB random block with a per-block counter, so nothing compresses or repeats."""
    block = bytearray(os.urandom(1 << 20))
    with open(path, "wb") as out:
        written = 0
        counter = 0
        while written < size_mb << 20:
            block[:8] = counter.to_bytes(8, "big")
            n = min(len(block), (size_mb << 20) - written)
            out.write(block[:n])
            written += n
            counter += 1


def run(name: str, argv: list[str], out: Path) -> Result:
    """Run one child, return wall time and its own peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {proc.returncode}")
    out.unlink()
    return Result(name, seconds, usage.ru_maxrss / 1024)  # ru_maxrss is KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="input size in MiB (default 1024)")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the temporary files")
    args = parser.parse_args()
    age = shutil.which("age")
    if age is None:
        print("the age CLI is not installed; nothing to compare against", file=sys.stderr)
        return 1
    recipient = str(x25519.Identity.generate().to_public())
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        plain = Path(tmp) / "plain.bin"
        make_input(plain, args.size_mb)
        out = Path(tmp) / "out.age"
        # Warm the page cache so the first contender is not penalised by cold reads.
        subprocess.run(["cat", str(plain)], stdout=subprocess.DEVNULL, check=True)
        files = [str(plain), str(out)]
        results = [
            run("age CLI (age -r)", [age, "-r", recipient, "-o", *files[::-1]], out),
            run("ours: EncryptingWriter", [sys.executable, "-c", OURS, recipient, *files], out),
            run("pyrage.encrypt_file (reference)", [sys.executable, "-c", PYRAGE_FILE, recipient, *files], out),
        ]
    baseline = results[0]
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mb = args.size_mb * (1 << 20) / 1e6
    print(f"Encrypting {args.size_mb} MiB to one X25519 recipient ({os.cpu_count()} CPUs, noisy shared machine)\n")
    print("| contender | seconds | MB/s | peak RSS (MB) | throughput vs age |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        ratio = baseline.seconds / r.seconds * 100
        print(f"| {r.name} | {r.seconds:.2f} | {mb / r.seconds:.0f} | {r.peak_rss_mb:.0f} | {ratio:.0f} % |")
    ours = results[1]
    target_ok = ours.seconds <= baseline.seconds / 0.7 and ours.peak_rss_mb < 200
    print(f"\nRSS floor (this launcher's own peak RSS, inherited at fork): {floor:.0f} MB")
    print(f"\ntarget (>= 70 % of age's throughput, RSS < 200 MB): {'met' if target_ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
