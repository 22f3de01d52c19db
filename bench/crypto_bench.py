"""Encryption benchmark: our two encryption paths vs the `age` CLI on the same file, same run.

Contenders: the `age` CLI (baseline), our `encrypt_file` (file to file inside pyrage), our
streaming `EncryptingWriter` (what exports use: plaintext never reaches the disk) and bare
`pyrage.encrypt_file` (the ceiling pyrage allows). Each run is a child process; wall time gives
throughput and os.wait4's rusage gives that child's CPU time and peak RSS (ru_maxrss, the
per-child form of RUSAGE_CHILDREN). A forked child starts with the parent's resident pages
counted, so this parent stays small (its own RSS is printed as the floor of the measurement).
The contenders take turns for `--repeat` rounds so background load hits them alike; the table
gives the median and best wall time of each. Prints a Markdown table.
Usage: python bench/crypto_bench.py [--size-mb 1024] [--repeat 5] [--dir /dev/shm]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
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

OURS_FILE = """
import sys
from pathlib import Path
from pyrage import x25519
from frigate_privacy.crypto.age import encrypt_file
encrypt_file(Path(sys.argv[2]), Path(sys.argv[3]), recipients=[x25519.Recipient.from_str(sys.argv[1])])
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
    cpu_seconds: float
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
    """Run one child, return wall time, its CPU time and its own peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {proc.returncode}")
    out.unlink()
    cpu = usage.ru_utime + usage.ru_stime
    return Result(name, seconds, cpu, usage.ru_maxrss / 1024)  # ru_maxrss is KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="input size in MiB (default 1024)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds; contenders take turns (default 5)")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the temporary files")
    args = parser.parse_args()
    age = shutil.which("age")
    if age is None:
        print("the age CLI is not installed; nothing to compare against", file=sys.stderr)
        return 1
    recipient = str(x25519.Identity.generate().to_public())
    runs: dict[str, list[Result]] = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        plain = Path(tmp) / "plain.bin"
        make_input(plain, args.size_mb)
        out = Path(tmp) / "out.age"
        # Warm the page cache so the first contender is not penalised by cold reads.
        subprocess.run(["cat", str(plain)], stdout=subprocess.DEVNULL, check=True)
        files = [str(plain), str(out)]
        contenders = [
            ("age CLI (age -r)", [age, "-r", recipient, "-o", *files[::-1]]),
            ("ours: encrypt_file (file to file)", [sys.executable, "-c", OURS_FILE, recipient, *files]),
            ("ours: EncryptingWriter (streaming, exports)", [sys.executable, "-c", OURS, recipient, *files]),
            ("pyrage.encrypt_file (ceiling)", [sys.executable, "-c", PYRAGE_FILE, recipient, *files]),
        ]
        for _ in range(args.repeat):
            for name, argv in contenders:
                runs.setdefault(name, []).append(run(name, argv, out))
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mb = args.size_mb * (1 << 20) / 1e6
    age_median = statistics.median(r.seconds for r in runs[contenders[0][0]])
    print(
        f"Encrypting {args.size_mb} MiB to one X25519 recipient, {args.repeat} rounds "
        f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)\n"
    )
    print("| contender | median s | best s | median MB/s | CPU s (median) | peak RSS (MB) | median throughput vs age |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    verdicts = []
    for name, results in runs.items():
        median = statistics.median(r.seconds for r in results)
        best = min(r.seconds for r in results)
        cpu = statistics.median(r.cpu_seconds for r in results)
        rss = max(r.peak_rss_mb for r in results)
        ratio = age_median / median * 100
        print(f"| {name} | {median:.2f} | {best:.2f} | {mb / median:.0f} | {cpu:.2f} | {rss:.0f} | {ratio:.0f} % |")
        if name.startswith("ours"):
            verdicts.append(f"{name}: {'met' if ratio >= 70 and rss < 200 else 'NOT met'}")
    print(f"\nRSS floor (this launcher's own peak RSS, inherited at fork): {floor:.0f} MB")
    print("\ntarget (>= 70 % of age's median throughput, RSS < 200 MB):")
    for verdict in verdicts:
        print(f"- {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
