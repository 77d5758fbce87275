"""SIGKILL a 5,000-page full pull at random points ten times, then check the mirror is exact.

Runs the suite's chaos test (tests/integration/test_pull_chaos.py) at full size:

    python bench/chaos_pull.py [--pages 5000] [--kills 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=10)
    args = parser.parse_args()
    env = {**os.environ, "CHAOS_PAGES": str(args.pages), "CHAOS_KILLS": str(args.kills)}
    test = "tests/integration/test_pull_chaos.py"
    started = time.monotonic()
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", test]
    code = subprocess.call([*cmd, "-o", "timeout=1800"], cwd=ROOT, env=env)
    print(
        f"chaos pull: {args.pages} pages, {args.kills} kills requested, "
        f"{'exact' if code == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s"
    )
    return code


if __name__ == "__main__":
    raise SystemExit(main())
