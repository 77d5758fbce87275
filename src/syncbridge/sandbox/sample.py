"""The sample workspace: realistic databases for every seed, built through the public API bodies.

One workspace-level page "syncbridge sample workspace" holds the databases of seed 000 (Tasks,
Calendar, Reports, Users, Sales), an Issues database for commit records (seed 001) and a page
"Batch to-dos" with a to-do list (seed 002). Rows are pseudo-random but seeded, so every sandbox
starts with the same data; only created/edited times follow the sandbox clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol

JSON = dict[str, Any]
VERSION = "2025-09-03"
SEED = 2025
ROWS: Mapping[str, int] = {
    "users": 200,
    "tasks": 300,
    "calendar": 200,
    "reports": 200,
    "sales": 300,
    "issues": 200,
}
_BASE = date(2025, 3, 3)
_PEOPLE = (
    ("Kim Minji", "minji.kim@example.com"),
    ("Lee Junho", "junho.lee@example.com"),
    ("Park Seoyeon", "seoyeon.park@example.com"),
    ("Wang Fang", "fang.wang@example.com"),
    ("Chen Jie", "jie.chen@example.com"),
    ("Alex Morgan", "alex.morgan@example.com"),
    ("Sam Rivera", "sam.rivera@example.com"),
    ("Priya Nair", "priya.nair@example.com"),
)
_FIRST = ("Minji", "Junho", "Seoyeon", "Jiwoo", "Hana", "Wei", "Fang", "Alex", "Sam", "Priya")
_LAST = ("Kim", "Lee", "Park", "Choi", "Jung", "Wang", "Chen", "Morgan", "Rivera", "Nair")
_VERBS = ("Fix", "Write", "Review", "Ship", "Plan", "Refactor", "Test", "Design", "Migrate")
_THINGS = (
    "login flow",
    "sync job",
    "invoice export",
    "dashboard",
    "API docs",
    "rate limiter",
    "webhook handler",
    "mobile layout",
    "search index",
    "backup script",
    "onboarding",
)
_TAGS = ("backend", "frontend", "ops", "docs", "bug", "feature", "urgent", "research")
_CUSTOMERS = (
    "Hanbit Foods",
    "Blue Harbor",
    "Seoul Metro Cafe",
    "Jade Garden",
    "Northwind",
    "Acme Korea",
    "Lotus Trading",
    "Daehan Print",
    "Sunrise Bakery",
    "Orbit Labs",
)
_FILES = (
    "src/app.py",
    "src/sync.py",
    "src/outbox.py",
    "README.md",
    "tests/test_sync.py",
    "bench/run.py",
    "docs/usage.md",
    "pyproject.toml",
)


class SampleWorkspace(Protocol):
    """The Workspace methods the sample uses (SA's ``Workspace`` provides them)."""

    on_event: Any

    def reset(self) -> None: ...
    def add_user(self, name: str, email: str | None = None) -> JSON: ...
    def create_page(self, body: JSON, version: str = ...) -> JSON: ...
    def create_database(self, body: JSON, version: str = ...) -> JSON: ...
    def append_children(self, block_id: str, body: JSON, version: str = ...) -> JSON: ...


def _text(content: str) -> list[JSON]:
    return [{"type": "text", "text": {"content": content}}]


def _title(content: str) -> JSON:
    return {"title": _text(content)}


def _rich(content: str) -> JSON:
    return {"rich_text": _text(content)}


def _date(start: date | datetime, end: date | datetime | None = None) -> JSON:
    return {"date": {"start": start.isoformat(), "end": end.isoformat() if end else None}}


def _select(name: str) -> JSON:
    return {"select": {"name": name}}


def _options(*names: str) -> JSON:
    colors = ("blue", "green", "orange", "red", "purple", "pink", "yellow", "brown", "gray")
    return {"options": [{"name": n, "color": colors[i % len(colors)]} for i, n in enumerate(names)]}


class _Builder:
    """Creates the sample through the workspace, keeping ids and the seeded dice."""

    def __init__(self, ws: SampleWorkspace, rows: Mapping[str, int]) -> None:
        self.ws = ws
        self.rows = rows
        self.rng = random.Random(SEED)
        self.ids: dict[str, str] = {}
        self.people: list[str] = []
        self.pages: dict[str, list[str]] = {}

    def database(self, name: str, icon: str, properties: JSON) -> str:
        body = {
            "parent": {"type": "page_id", "page_id": self.ids["sample_page"]},
            "title": _text(name),
            "icon": {"type": "emoji", "emoji": icon},
            "initial_data_source": {"properties": properties},
        }
        db = self.ws.create_database(body, VERSION)
        key = name.lower()
        self.ids[f"{key}_database"] = db["id"]
        self.ids[f"{key}_data_source"] = db["data_sources"][0]["id"]
        return str(db["data_sources"][0]["id"])

    def rows_of(self, key: str, make: Callable[[int], JSON]) -> None:
        ds = self.ids[f"{key}_data_source"]
        made = self.pages.setdefault(key, [])
        for i in range(self.rows.get(key, 0)):
            body = {
                "parent": {"type": "data_source_id", "data_source_id": ds},
                "properties": make(i),
            }
            made.append(str(self.ws.create_page(body, VERSION)["id"]))

    def person(self) -> JSON:
        return {"people": [{"object": "user", "id": self.rng.choice(self.people)}]}

    def pick(self, key: str, k: int = 1) -> JSON:
        pool = self.pages.get(key) or []
        chosen = self.rng.sample(pool, min(k, len(pool)))
        return {"relation": [{"id": pid} for pid in chosen]}

    def day(self, spread: int = 180) -> date:
        return _BASE + timedelta(days=self.rng.randint(0, spread))


def seed_sample_workspace(ws: SampleWorkspace, *, rows: Mapping[str, int] = ROWS) -> dict[str, str]:
    """Fill an empty workspace with the sample; returns ids by name.

    Keys: ``sample_page``, ``batch_todos_page`` and ``<name>_database`` / ``<name>_data_source``
    for tasks, calendar, reports, users, sales and issues.

    Args:
        ws: The workspace (see ``SampleWorkspace``).
        rows: Rows per database (default ``ROWS``, a few hundred each).
    """
    # The sample is the world as it already was: no webhook events for it.
    sink, ws.on_event = ws.on_event, None
    try:
        return _seed(ws, rows)
    finally:
        ws.on_event = sink


def _seed(ws: SampleWorkspace, rows: Mapping[str, int]) -> dict[str, str]:
    b = _Builder(ws, rows)
    b.people = [str(ws.add_user(name, email)["id"]) for name, email in _PEOPLE]
    root = ws.create_page(
        {
            "parent": {"type": "workspace", "workspace": True},
            "icon": {"type": "emoji", "emoji": "🧪"},
            "properties": {"title": _title("syncbridge sample workspace")},
        },
        VERSION,
    )
    b.ids["sample_page"] = root["id"]
    _users(b)
    _tasks(b)
    _calendar(b)
    _reports(b)
    _sales(b)
    _issues(b)
    _batch_todos(b)
    return dict(b.ids)


def reset_workspace(ws: SampleWorkspace, *, empty: bool) -> dict[str, str]:
    """Forget everything, then seed the sample unless ``empty``; returns the sample's ids."""
    ws.reset()
    return {} if empty else seed_sample_workspace(ws)


def _users(b: _Builder) -> None:
    b.database(
        "Users",
        "👤",
        {
            "Name": {"title": {}},
            "Email": {"email": {}},
            "Phone": {"phone_number": {}},
            "Role": {"select": _options("Admin", "Manager", "Member", "Guest")},
            "Department": {"select": _options("Engineering", "Sales", "Finance", "Operations")},
            "Skills": {"multi_select": _options("Python", "SQL", "Design", "Sales", "Support")},
            "Active": {"checkbox": {}},
            "Joined": {"date": {}},
            "Account": {"people": {}},
            "Avatar": {"files": {}},
            "User ID": {"unique_id": {"prefix": "USR"}},
            "Created": {"created_time": {}},
            "Updated": {"last_edited_time": {}},
        },
    )

    def row(i: int) -> JSON:
        first, last = b.rng.choice(_FIRST), b.rng.choice(_LAST)
        handle = f"{first}.{last}{i}".lower()
        return {
            "Name": _title(f"{first} {last}"),
            "Email": {"email": f"{handle}@example.com"},
            "Phone": {"phone_number": f"+82-10-{b.rng.randint(1000, 9999)}-{1000 + i}"},
            "Role": _select(b.rng.choice(("Admin", "Manager", "Member", "Member", "Guest"))),
            "Department": _select(b.rng.choice(("Engineering", "Sales", "Finance", "Operations"))),
            "Skills": {
                "multi_select": [
                    {"name": s} for s in b.rng.sample(("Python", "SQL", "Design", "Sales"), 2)
                ]
            },
            "Active": {"checkbox": b.rng.random() > 0.15},
            "Joined": _date(_BASE - timedelta(days=b.rng.randint(0, 900))),
            "Account": b.person(),
            "Avatar": {
                "files": [
                    {
                        "name": f"{handle}.png",
                        "type": "external",
                        "external": {"url": f"https://example.com/avatars/{handle}.png"},
                    }
                ]
            },
        }

    b.rows_of("users", row)


def _tasks(b: _Builder) -> None:
    b.database(
        "Tasks",
        "✅",
        {
            "Name": {"title": {}},
            "Status": {"status": {}},
            "Priority": {"select": _options("High", "Medium", "Low")},
            "Tags": {"multi_select": _options(*_TAGS)},
            "Assignee": {"people": {}},
            "Owner": {
                "relation": {"data_source_id": b.ids["users_data_source"], "single_property": {}}
            },
            "Owner email": {
                "rollup": {
                    "relation_property_name": "Owner",
                    "rollup_property_name": "Email",
                    "function": "show_original",
                }
            },
            "Due": {"date": {}},
            "Estimate (h)": {"number": {"format": "number"}},
            "Effort (min)": {"formula": {"expression": 'prop("Estimate (h)") * 60'}},
            "Blocked": {"checkbox": {}},
            "Link": {"url": {}},
            "Notes": {"rich_text": {}},
            "Task ID": {"unique_id": {"prefix": "TASK"}},
            "Created": {"created_time": {}},
            "Last edited": {"last_edited_time": {}},
        },
    )
    statuses = ("Not started", "In progress", "Done")

    def row(i: int) -> JSON:
        title = f"{b.rng.choice(_VERBS)} {b.rng.choice(_THINGS)}"
        return {
            "Name": _title(title),
            "Status": {"status": {"name": b.rng.choice(statuses)}},
            "Priority": _select(b.rng.choice(("High", "Medium", "Medium", "Low"))),
            "Tags": {
                "multi_select": [{"name": t} for t in b.rng.sample(_TAGS, b.rng.randint(0, 3))]
            },
            "Assignee": b.person(),
            "Owner": b.pick("users"),
            "Due": _date(b.day()),
            "Estimate (h)": {"number": b.rng.choice((0.5, 1, 2, 3, 5, 8, 13))},
            "Blocked": {"checkbox": b.rng.random() < 0.1},
            "Link": {"url": f"https://example.com/tickets/{1000 + i}" if i % 3 else None},
            "Notes": _rich(f"Task {i}: {title.lower()} before the next release."),
        }

    b.rows_of("tasks", row)


def _calendar(b: _Builder) -> None:
    b.database(
        "Calendar",
        "📅",
        {
            "Event": {"title": {}},
            "When": {"date": {}},
            "All day": {"checkbox": {}},
            "Category": {"select": _options("Meeting", "Deadline", "Holiday", "Review", "Event")},
            "Location": {"rich_text": {}},
            "Attendees": {"people": {}},
            "Meeting link": {"url": {}},
            "Task": {
                "relation": {"data_source_id": b.ids["tasks_data_source"], "single_property": {}}
            },
            "Created": {"created_time": {}},
        },
    )

    def row(i: int) -> JSON:
        day = b.day()
        all_day = b.rng.random() < 0.3
        if all_day:
            when = _date(day, day + timedelta(days=b.rng.randint(0, 2)) if i % 2 else None)
        else:
            start = datetime(
                day.year, day.month, day.day, b.rng.randint(8, 17), b.rng.choice((0, 30))
            )
            when = _date(start, start + timedelta(minutes=b.rng.choice((30, 60, 90))))
        category = b.rng.choice(("Meeting", "Deadline", "Holiday", "Review", "Event"))
        return {
            "Event": _title(f"{category} #{i + 1}"),
            "When": when,
            "All day": {"checkbox": all_day},
            "Category": _select(category),
            "Location": _rich(b.rng.choice(("Room 3A", "Online", "Gangnam office", "Cafe"))),
            "Attendees": b.person(),
            "Meeting link": {"url": f"https://meet.example.com/{i:04d}"},
            "Task": b.pick("tasks"),
        }

    b.rows_of("calendar", row)


def _reports(b: _Builder) -> None:
    b.database(
        "Reports",
        "📊",
        {
            "Title": {"title": {}},
            "Period": {"date": {}},
            "Author": {"people": {}},
            "Stage": {"select": _options("Draft", "Review", "Published")},
            "Summary": {"rich_text": {}},
            "Score": {"number": {"format": "percent"}},
            "Attachment": {"files": {}},
            "Tasks": {
                "relation": {"data_source_id": b.ids["tasks_data_source"], "single_property": {}}
            },
            "Task count": {
                "rollup": {
                    "relation_property_name": "Tasks",
                    "rollup_property_name": "Name",
                    "function": "count",
                }
            },
            "Published": {"checkbox": {}},
            "Updated": {"last_edited_time": {}},
        },
    )

    def row(i: int) -> JSON:
        start = _BASE + timedelta(weeks=i % 52)
        stage = b.rng.choice(("Draft", "Review", "Published"))
        return {
            "Title": _title(f"Weekly report {start.isoformat()} #{i + 1}"),
            "Period": _date(start, start + timedelta(days=6)),
            "Author": b.person(),
            "Stage": _select(stage),
            "Summary": _rich(f"{b.rng.randint(3, 40)} tasks closed, {b.rng.randint(0, 9)} open."),
            "Score": {"number": round(b.rng.random(), 2)},
            "Attachment": {
                "files": [
                    {
                        "name": f"report-{i + 1}.pdf",
                        "type": "external",
                        "external": {"url": f"https://example.com/r/{i + 1}.pdf"},
                    }
                ]
            },
            "Tasks": b.pick("tasks", b.rng.randint(0, 4)),
            "Published": {"checkbox": stage == "Published"},
        }

    b.rows_of("reports", row)


def _sales(b: _Builder) -> None:
    b.database(
        "Sales",
        "💰",
        {
            "Deal": {"title": {}},
            "Customer": {"rich_text": {}},
            "Quantity": {"number": {"format": "number"}},
            "Unit price": {"number": {"format": "won"}},
            "Total": {"formula": {"expression": 'prop("Quantity") * prop("Unit price")'}},
            "Stage": {"select": _options("Lead", "Proposal", "Won", "Lost")},
            "Region": {"select": _options("Seoul", "Busan", "Shanghai", "Remote")},
            "Sold on": {"date": {}},
            "Sales rep": {
                "relation": {"data_source_id": b.ids["users_data_source"], "single_property": {}}
            },
            "Contact email": {"email": {}},
            "Contact phone": {"phone_number": {}},
            "Paid": {"checkbox": {}},
            "Invoice": {"unique_id": {"prefix": "INV"}},
            "Created": {"created_time": {}},
        },
    )

    def row(i: int) -> JSON:
        customer = b.rng.choice(_CUSTOMERS)
        stage = b.rng.choice(("Lead", "Proposal", "Won", "Won", "Lost"))
        return {
            "Deal": _title(f"{customer} order {i + 1}"),
            "Customer": _rich(customer),
            "Quantity": {"number": b.rng.randint(1, 50)},
            "Unit price": {"number": b.rng.choice((9900, 15000, 25000, 48000, 120000))},
            "Stage": _select(stage),
            "Region": _select(b.rng.choice(("Seoul", "Busan", "Shanghai", "Remote"))),
            "Sold on": _date(b.day()),
            "Sales rep": b.pick("users"),
            "Contact email": {"email": f"buyer{i}@{customer.split()[0].lower()}.example.com"},
            "Contact phone": {"phone_number": f"+82-2-{b.rng.randint(100, 999)}-{1000 + i}"},
            "Paid": {"checkbox": stage == "Won" and b.rng.random() < 0.8},
        }

    b.rows_of("sales", row)


def _issues(b: _Builder) -> None:
    b.database(
        "Issues",
        "🐛",
        {
            "Message": {"title": {}},
            "Hash": {"rich_text": {}},
            "Author": {"rich_text": {}},
            "Author email": {"email": {}},
            "Files": {"rich_text": {}},
            "Files changed": {"number": {}},
            "Committed at": {"date": {}},
            "Branch": {"select": _options("main", "develop", "feature/outbox", "fix/sync")},
            "Commit URL": {"url": {}},
        },
    )

    def row(i: int) -> JSON:
        name, email = b.rng.choice(_PEOPLE)
        files = b.rng.sample(_FILES, b.rng.randint(1, 4))
        sha = f"{b.rng.getrandbits(160):040x}"
        at = datetime(_BASE.year, _BASE.month, _BASE.day, 9) + timedelta(minutes=37 * i)
        return {
            "Message": _title(f"{b.rng.choice(_VERBS).lower()} {b.rng.choice(_THINGS)} (#{i + 1})"),
            "Hash": _rich(sha),
            "Author": _rich(name),
            "Author email": {"email": email},
            "Files": _rich(", ".join(files)),
            "Files changed": {"number": len(files)},
            "Committed at": {"date": {"start": at.isoformat() + "+09:00", "end": None}},
            "Branch": _select(b.rng.choice(("main", "develop", "feature/outbox", "fix/sync"))),
            "Commit URL": {"url": f"https://git.example.com/syncbridge/commit/{sha}"},
        }

    b.rows_of("issues", row)


def _batch_todos(b: _Builder) -> None:
    page = b.ws.create_page(
        {
            "parent": {"type": "page_id", "page_id": b.ids["sample_page"]},
            "icon": {"type": "emoji", "emoji": "📝"},
            "properties": {"title": _title("Batch to-dos")},
        },
        VERSION,
    )
    b.ids["batch_todos_page"] = page["id"]
    children: list[JSON] = [
        {
            "object": "block",
            "type": "heading_2",
            "heading_2": {"rich_text": _text("Pending work for the batch runner")},
        },
        {
            "object": "block",
            "type": "paragraph",
            "paragraph": {
                "rich_text": _text("Unchecked items are pending; checked ones are done.")
            },
        },
    ]
    for i in range(30):
        task = f"{b.rng.choice(_VERBS)} {b.rng.choice(_THINGS)} (item {i + 1})"
        children.append(
            {
                "object": "block",
                "type": "to_do",
                "to_do": {"rich_text": _text(task), "checked": i % 4 == 0},
            }
        )
    b.ws.append_children(page["id"], {"children": children}, VERSION)
