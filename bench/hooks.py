"""What does the post-commit hook cost a commit? No hook vs ours vs a hook calling Notion.

Times ``git commit`` in a scratch repository (N commits each, one changed file):

* without any hook;
* with ``syncbridge hooks install`` (the hook queues the commit in the outbox: no network), and
  with ``--background`` (the commit does not even wait for that enqueue);
* with a hook that creates the Notion page itself with the official ``notion-client`` (what the
  seed's hooks did), against the sandbox answering in 200-1000 ms.

    python bench/hooks.py            # 30 commits per case
    python bench/hooks.py --quick    # 8 commits per case
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from enqueue import TOKEN, new_table, sandbox_process, set_faults
from syncbridge.outbox.queue import Outbox

SYNCBRIDGE = str(Path(sys.executable).with_name("syncbridge"))
NETWORK_HOOK = """#!{python}
import subprocess
from notion_client import Client
msg = subprocess.run(["git", "log", "-1", "--format=%s"], capture_output=True, text=True).stdout
Client(auth="{token}", base_url="{url}").pages.create(
    parent={{"data_source_id": "{ds}"}},
    properties={{"title": {{"title": [{{"text": {{"content": msg.strip()}}}}]}}}},
)
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def new_repo(root: Path, name: str) -> Path:
    repo = root / name
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "bench@example.com")
    git(repo, "config", "user.name", "Bench")
    return repo


def time_commits(repo: Path, n: int) -> list[float]:
    """Seconds per ``git commit`` (the hook runs inside it)."""
    samples = []
    for i in range(n):
        (repo / "file.txt").write_text(f"change {i}\n")
        git(repo, "add", "file.txt")
        start = time.perf_counter()
        git(repo, "commit", "-q", "-m", f"change {i}")
        samples.append(time.perf_counter() - start)
        time.sleep(0.3)  # commits are not back to back: let a background hook finish
    return samples


def line(label: str, samples: list[float], base: float) -> str:
    p50 = statistics.median(samples) * 1000
    top = max(samples) * 1000
    return f"{label:<44} {len(samples):>5} {p50:>10.1f} {top:>10.1f} {p50 / base:>8.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 commits per case")
    args = parser.parse_args()
    n = 8 if args.quick else 30
    print(f"# {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; times in ms")
    with tempfile.TemporaryDirectory() as tmp, sandbox_process() as url:
        root = Path(tmp)
        ds = new_table(url, {"Name": {"title": {}}})
        plain = time_commits(new_repo(root, "plain"), n)
        base = statistics.median(plain) * 1000
        print(f"{'git commit':<44} {'n':>5} {'p50':>10} {'max':>10} {'vs none':>9}")
        print(line("no hook", plain, base), flush=True)

        ours = new_repo(root, "ours")
        env = dict(os.environ) | {"SYNCBRIDGE_STORE_URL": f"sqlite:///{tmp}/hooks.db"}
        env.pop("SYNCBRIDGE_CONFIG", None)
        subprocess.run(
            [SYNCBRIDGE, "hooks", "install", "--repo", str(ours), "--data-source", ds],
            check=True,
            env=env,
            capture_output=True,
        )
        print(line("syncbridge post-commit hook (enqueue only)", time_commits(ours, n), base))
        background = new_repo(root, "background")
        subprocess.run(
            [SYNCBRIDGE, "hooks", "install", "--repo", str(background), "--data-source", ds,
             "--background"],
            check=True,
            env=env,
            capture_output=True,
        )  # fmt: skip
        print(line("syncbridge hook --background", time_commits(background, n), base))

        network = new_repo(root, "network")
        hook = network / ".git" / "hooks" / "post-commit"
        time.sleep(2)
        box = Outbox.open(env["SYNCBRIDGE_STORE_URL"])
        queued = sum(
            1 for r in box.entries(limit=10_000) if (r.idem_key or "").startswith("commit:")
        )
        box.close()
        print(f"{'':<44} commits queued by the two hooks: {queued} of {2 * n}")

        hook.write_text(NETWORK_HOOK.format(python=sys.executable, token=TOKEN, url=url, ds=ds))
        hook.chmod(0o755)
        set_faults(url, "latency=200-1000ms")
        print(
            line("hook calling Notion (notion-client, 200-1000ms)", time_commits(network, n), base)
        )


if __name__ == "__main__":
    main()
