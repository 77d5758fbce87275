"""The git post-commit hook's entry point: queue the commit just made. No network, no settings.

``syncbridge hooks install`` writes a hook that runs
``python -m syncbridge.outbox.hook --store-url URL --data-source ID [--fields …]``. It reads the
commit with two ``git`` calls and commits one outbox row (a page create keyed ``commit:<hash>``,
so running it twice queues one page); ``syncbridge worker`` sends it later. Only the stdlib and
the outbox are imported, so the hook adds milliseconds to a commit, not the network's latency.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Any

MAX_TEXT = 2000  # Notion's limit for one rich text item
MAX_FILES = 90
FIELDS = ("hash", "author", "email", "files", "count", "date", "branch")


def paragraph(text: str) -> dict[str, Any]:
    """A paragraph block holding ``text`` (cut to Notion's 2,000 characters)."""
    return {"type": "paragraph", "paragraph": {"rich_text": [_text(text)]}}


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": {"content": text[:MAX_TEXT]}}


def _git(repo: str, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", repo, *args], check=True, capture_output=True, text=True, encoding="utf-8"
    )
    return done.stdout


def commit_info(repo: str = ".", *, branch: bool = False) -> dict[str, Any]:
    """Hash, author, e-mail, date, message and changed files of ``HEAD``."""
    head = _git(repo, "log", "-1", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%B")
    sha, author, email, date, message = head.split("\x1f", 4)
    files = _git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", "HEAD")
    info = {
        "hash": sha,
        "author": author,
        "email": email,
        "date": date,
        "message": message.strip(),
        "files": [f for f in files.splitlines() if f],
    }
    if branch:
        info["branch"] = _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()
    return info


def commit_page(
    info: Mapping[str, Any], fields: Mapping[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Properties and body of the page recording a commit.

    The title goes to the title property by its fixed id ``"title"`` (any database has one);
    ``fields`` maps hash/author/email/files/count/date/branch to property names, when wanted.
    """
    subject, _, body = str(info["message"]).partition("\n")
    props: dict[str, Any] = {"title": {"title": [_text(subject or info["hash"][:12])]}}
    files = list(info["files"])
    values = {
        "hash": info["hash"],
        "author": info["author"],
        "email": info["email"] or None,
        "files": ", ".join(files)[:MAX_TEXT],
        "count": len(files),
        "date": info["date"],
        "branch": info.get("branch"),
    }
    for field, prop in fields.items():
        props[prop] = values[field]
    children = [paragraph(f"{info['author']} <{info['email']}> committed {info['hash']}")]
    if body.strip():
        children.append(paragraph(body.strip()))
    for name in files[:MAX_FILES]:
        children.append(
            {"type": "bulleted_list_item", "bulleted_list_item": {"rich_text": [_text(name)]}}
        )
    if len(files) > MAX_FILES:
        children.append(paragraph(f"… and {len(files) - MAX_FILES} more files"))
    return props, children


def parse_fields(text: str) -> dict[str, str]:
    """``"hash=Hash,author=Author"`` → ``{"hash": "Hash", "author": "Author"}`` (checked)."""
    fields: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        field, sep, prop = part.partition("=")
        if not sep or field not in FIELDS or not prop:
            raise ValueError(
                f"--fields: {part!r} is not FIELD=PROPERTY (FIELD: {', '.join(FIELDS)})"
            )
        fields[field] = prop
    return fields


def main(argv: Sequence[str] | None = None) -> int:
    """Queue ``HEAD`` of the repository; returns the exit code (1 with a message on failure)."""
    parser = argparse.ArgumentParser(prog="python -m syncbridge.outbox.hook")
    parser.add_argument("--store-url", required=True)
    parser.add_argument("--data-source", required=True)
    parser.add_argument("--fields", default="")
    parser.add_argument("--repo", default=".")
    args = parser.parse_args(argv)
    from syncbridge.outbox.errors import OutboxError
    from syncbridge.outbox.queue import Outbox

    try:
        fields = parse_fields(args.fields)
        info = commit_info(args.repo, branch="branch" in fields)
        props, children = commit_page(info, fields)
        box = Outbox.open(args.store_url, max_pending=10**9, when_full="raise")
        box.create_page(args.data_source, props, key=f"commit:{info['hash']}", children=children)
        box.close()
    except (OutboxError, ValueError, OSError, subprocess.CalledProcessError) as exc:
        print(f"syncbridge post-commit: commit not queued: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
