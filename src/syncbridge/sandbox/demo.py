"""A public demo JSON API (seed 004's booth/menu feed) for trying REST sources offline.

``GET /demo/booth/all`` answers the fields the seed's poller maps (``boothName``,
``boothAllTable``, ``boothUsageTable``, ``menus[].menuName``, ``menuIngredidentReminder`` — the
seed's own spelling — and ``menuSalesQuantity``) plus stable ids. The numbers are a pure function
of the sandbox clock: the same minute gives the same answer, sales grow through the (UTC) day and
stock runs down (to 0: sold out), so a poller sees realistic changes and a frozen clock a fixed
answer.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from syncbridge.sandbox.clock import Clock, iso

BOOTHS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("Mapo Tteokbokki", 12, ("Tteokbokki", "Sundae", "Fish cake skewer")),
    ("Seoul Coffee Lab", 8, ("Americano", "Cafe latte", "Yuja tea", "Croffle")),
    ("Busan Eomuk Bar", 10, ("Eomuk tang", "Hotteok")),
    ("Jeju Tangerine Stand", 6, ("Tangerine juice", "Hallabong ade", "Tangerine cake")),
    ("Daegu Makchang Grill", 14, ("Makchang", "Fried rice", "Soju", "Cider", "Kimchi pancake")),
)
_STOCK = 400  # starting ingredient stock per menu item


def _menu(booth_no: int, menu_no: int, name: str, minutes: int) -> dict[str, Any]:
    per_hour = random.Random(booth_no * 1000 + menu_no).randint(3, 30)
    sold = minutes * per_hour // 60
    return {
        "menuId": booth_no * 100 + menu_no,
        "menuName": name,
        "menuIngredidentReminder": max(0, _STOCK - sold),
        "menuSalesQuantity": sold,
    }


def booths_at(now: datetime) -> list[dict[str, Any]]:
    """The booth list as it stands at ``now`` (deterministic per minute; a new day starts at 0)."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    minutes = int((now - midnight).total_seconds() // 60)
    day = midnight.date().toordinal()
    out = []
    for booth_no, (name, tables, menus) in enumerate(BOOTHS, start=1):
        usage = random.Random(f"{booth_no}:{day}:{minutes}").randint(0, tables)
        out.append(
            {
                "boothId": booth_no,
                "boothName": name,
                "boothAllTable": tables,
                "boothUsageTable": usage,
                "menus": [_menu(booth_no, i, m, minutes) for i, m in enumerate(menus, start=1)],
            }
        )
    return out


def demo_router(clock: Clock) -> APIRouter:
    """``GET /demo/booth/all`` (public: no token needed)."""
    router = APIRouter(prefix="/demo", tags=["demo API"])

    @router.get("/booth/all")
    async def booth_all() -> dict[str, Any]:
        now = clock.now()
        return {
            "statusCode": 200,
            "message": "OK",
            "updatedAt": iso(now, minute=True),
            "data": booths_at(now),
        }

    return router
