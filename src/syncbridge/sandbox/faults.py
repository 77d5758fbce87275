"""Fault injection: the SPEC syntax, its parser, and the seeded dice that pick a fault.

SPEC is a comma list (``429=0.2,500=0.05,timeout=0.02,latency=20-200ms,seed=7``) or the same as a
JSON object (``{"429": 0.2, "latency": "20-200ms", "seed": 7}``). Keys:

* ``KIND=RATE``, RATE in 0..1, the share of ``/v1`` requests that get the fault. The rates of all
  kinds add up to at most 1; one draw per request picks at most one fault.
* ``latency=MIN-MAXms`` (or ``=Nms``): every ``/v1`` request waits a uniform time in that range.
* ``seed=N``: the dice are seeded, so the same request sequence sees the same faults.
* ``hold=Ns``: how long a ``timeout`` fault holds a request at most (default 30 s), then 504.
* ``methods=POST+PATCH``: only requests with these methods get faults (default: all).
* ``paths=/v1/pages+/v1/blocks``: only requests whose path starts with one of these (default: all).
* ``next=KIND+KIND``: a script, the next matching requests get exactly these faults, in order,
  before the random rates apply (e.g. ``next=timeout_after`` makes the very next write time out
  after it was applied).

When a fault happens (the write either happened or it did not):

* *Before the request is applied* — the workspace never sees it: ``429`` (rate_limited with
  ``Retry-After``), ``500``, ``502``, ``503``, ``504``, ``529`` (Notion's error object for that
  status), ``timeout`` (the answer never comes: the request is held until the client gives up,
  capped at ``hold_seconds``, then 504), ``reset`` (the connection is dropped before any answer).
* *After the request is applied* — the write happened, the client cannot know: ``500_after``,
  ``502_after``, ``503_after``, ``504_after`` (error instead of the real answer), ``timeout_after``,
  ``reset_after`` (headers sent, then the connection drops mid-body), and ``malformed`` (the real
  status with a truncated JSON body).
"""

from __future__ import annotations

import random
import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STATUS_KINDS = ("429", "500", "502", "503", "504", "529")
BEFORE_KINDS = (*STATUS_KINDS, "timeout", "reset")
AFTER_KINDS = ("500_after", "502_after", "503_after", "504_after", "timeout_after", "reset_after")
KINDS = (*BEFORE_KINDS, "malformed", *AFTER_KINDS)
_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
_LATENCY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*ms\s*$")

# (code, message) of Notion's error object per status (docs: reference/status-codes).
ERRORS: dict[int, tuple[str, str]] = {
    429: ("rate_limited", "You have been rate limited. Please try again in a few minutes."),
    500: ("internal_server_error", "Unexpected error occurred."),
    502: ("bad_gateway", "Bad Gateway"),
    503: ("service_unavailable", "Notion is unavailable, please try again later."),
    504: ("gateway_timeout", "Gateway Timeout"),
    529: ("service_overload", "Notion is temporarily overloaded, please try again later."),
}


class FaultSpecError(ValueError):
    """A fault SPEC that cannot be parsed; the message names the bad part."""


@dataclass(frozen=True)
class FaultSpec:
    """A parsed fault SPEC (see the module docstring). The empty spec means no faults."""

    rates: Mapping[str, float] = field(default_factory=dict)
    latency_ms: tuple[float, float] | None = None
    seed: int | None = None
    methods: tuple[str, ...] = ()
    script: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    hold_s: float | None = None

    @property
    def empty(self) -> bool:
        """True when this spec injects nothing."""
        return not (any(self.rates.values()) or self.latency_ms or self.script)

    def to_text(self) -> str:
        """The SPEC text form; ``parse_spec(spec.to_text()) == spec``."""
        parts = [f"{kind}={_num(rate)}" for kind, rate in self.rates.items()]
        if self.latency_ms is not None:
            low, high = self.latency_ms
            parts.append(f"latency={_num(low)}-{_num(high)}ms")
        if self.methods:
            parts.append("methods=" + "+".join(self.methods))
        if self.paths:
            parts.append("paths=" + "+".join(self.paths))
        if self.script:
            parts.append("next=" + "+".join(self.script))
        if self.hold_s is not None:
            parts.append(f"hold={_num(self.hold_s)}s")
        if self.seed is not None:
            parts.append(f"seed={self.seed}")
        return ",".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The JSON form that ``PUT /_sandbox/faults`` accepts and ``GET`` answers."""
        out: dict[str, Any] = dict(self.rates)
        if self.latency_ms is not None:
            out["latency"] = f"{_num(self.latency_ms[0])}-{_num(self.latency_ms[1])}ms"
        if self.methods:
            out["methods"] = list(self.methods)
        if self.paths:
            out["paths"] = list(self.paths)
        if self.script:
            out["next"] = list(self.script)
        if self.hold_s is not None:
            out["hold"] = f"{_num(self.hold_s)}s"
        if self.seed is not None:
            out["seed"] = self.seed
        return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse_spec(text: str) -> FaultSpec:
    """Parse the SPEC text form (``429=0.2,latency=20-200ms,seed=7``); empty text = no faults.

    Raises:
        FaultSpecError: unknown kind, rate outside 0..1, bad latency/seed, rates summing past 1.
    """
    items: dict[str, Any] = {}
    for raw in text.split(","):
        part = raw.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise FaultSpecError(f"fault spec: {part!r} is not KEY=VALUE")
        key = key.strip().lower()
        if key in items:
            raise FaultSpecError(f"fault spec: {key!r} given twice")
        items[key] = value.strip()
    return spec_from_mapping(items)


def spec_from_json(value: Any) -> FaultSpec:
    """Accept a PUT body: a JSON object, a SPEC string, or null/{} (no faults).

    Raises:
        FaultSpecError: as ``parse_spec``, or the body is neither an object nor a string.
    """
    if value is None:
        return FaultSpec()
    if isinstance(value, str):
        return parse_spec(value)
    if isinstance(value, Mapping):
        if set(value) == {"spec"} and isinstance(value["spec"], str):
            return parse_spec(value["spec"])
        return spec_from_mapping({str(k).lower(): v for k, v in value.items()})
    raise FaultSpecError(f"fault spec: expected a JSON object or a SPEC string, got {value!r}")


def spec_from_mapping(items: Mapping[str, Any]) -> FaultSpec:
    """Build a spec from already split ``key -> value`` pairs (text or JSON values)."""
    rates: dict[str, float] = {}
    latency = seed = None
    methods: tuple[str, ...] = ()
    script: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    hold = None
    for key, value in items.items():
        if key == "latency":
            latency = _parse_latency(value)
        elif key == "seed":
            seed = _parse_seed(value)
        elif key == "methods":
            methods = _parse_list(key, value, _METHODS, upper=True)
        elif key == "hold":
            hold = _parse_hold(value)
        elif key == "paths":
            paths = _parse_paths(value)
        elif key == "next":
            script = _parse_list(key, value, KINDS, upper=False)
        elif key in KINDS:
            rates[key] = _parse_rate(key, value)
        else:
            known = ", ".join((*KINDS, "latency", "seed", "hold", "methods", "paths", "next"))
            raise FaultSpecError(f"fault spec: unknown kind {key!r} (known: {known})")
    total = sum(rates.values())
    if total > 1 + 1e-9:
        raise FaultSpecError(f"fault spec: rates add up to {total:g}, more than 1")
    return FaultSpec(
        rates=rates,
        latency_ms=latency,
        seed=seed,
        methods=methods,
        script=script,
        paths=paths,
        hold_s=hold,
    )


def _parse_rate(kind: str, value: Any) -> float:
    if isinstance(value, bool):
        raise FaultSpecError(f"fault spec: {kind} rate must be a number in 0..1, got {value!r}")
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise FaultSpecError(
            f"fault spec: {kind} rate must be a number in 0..1, got {value!r}"
        ) from None
    if not 0 <= rate <= 1:
        raise FaultSpecError(f"fault spec: {kind} rate must be in 0..1, got {value!r}")
    return rate


def _parse_latency(value: Any) -> tuple[float, float] | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{value}ms"
    match = _LATENCY.match(str(value)) if isinstance(value, str) else None
    if match is None:
        raise FaultSpecError(f"fault spec: latency must look like 20-200ms or 50ms, got {value!r}")
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) is not None else low
    if high < low:
        raise FaultSpecError(f"fault spec: latency range {value!r} has MAX below MIN")
    if high > 60_000:
        raise FaultSpecError(f"fault spec: latency {value!r} exceeds 60000ms")
    return None if high == 0 else (low, high)


def _parse_seed(value: Any) -> int:
    if isinstance(value, bool):
        raise FaultSpecError(f"fault spec: seed must be an integer, got {value!r}")
    try:
        return int(str(value).strip())
    except ValueError:
        raise FaultSpecError(f"fault spec: seed must be an integer, got {value!r}") from None


def _parse_hold(value: Any) -> float:
    text = str(value).strip().removesuffix("s") if not isinstance(value, bool) else "x"
    try:
        seconds = float(text)
    except ValueError:
        raise FaultSpecError(f"fault spec: hold must look like 5s, got {value!r}") from None
    if not 0 < seconds <= 300:
        raise FaultSpecError(f"fault spec: hold must be in (0, 300] seconds, got {value!r}")
    return seconds


def _parse_paths(value: Any) -> tuple[str, ...]:
    raw = value.split("+") if isinstance(value, str) else value
    if not isinstance(raw, list | tuple) or not all(isinstance(p, str) for p in raw):
        raise FaultSpecError("fault spec: paths must be a +-joined string or a list of strings")
    out = tuple(p.strip() for p in raw)
    bad = [p for p in out if not p.startswith("/") or "," in p or "=" in p]
    if bad:
        raise FaultSpecError(
            f"fault spec: paths entry {bad[0]!r} must start with / (e.g. /v1/pages)"
        )
    return out


def _parse_list(key: str, value: Any, allowed: tuple[str, ...], *, upper: bool) -> tuple[str, ...]:
    raw = value.split("+") if isinstance(value, str) else value
    if not isinstance(raw, list | tuple):
        raise FaultSpecError(f"fault spec: {key} must be a +-joined string or a list")
    out = []
    for item in raw:
        name = str(item).strip()
        name = name.upper() if upper else name.lower()
        if name not in allowed:
            raise FaultSpecError(
                f"fault spec: {key} entry {item!r} is not one of {', '.join(allowed)}"
            )
        out.append(name)
    return tuple(out)


@dataclass(frozen=True)
class FaultPlan:
    """What happens to one request: a fault kind (or None) and an extra delay in seconds."""

    kind: str | None
    delay: float = 0.0

    @property
    def after(self) -> bool:
        """True when the request is applied first and the fault replaces its answer."""
        return self.kind is not None and (self.kind == "malformed" or self.kind.endswith("_after"))


class FaultInjector:
    """Holds the active spec and decides, per request, which fault (if any) to inject.

    Thread-safe; the dice are ``random.Random(seed)`` (one stream for faults, one for latency),
    so a given request sequence sees the same faults on every run with the same seed.

    Args:
        spec: The initial spec (SPEC text or a parsed ``FaultSpec``).
        hold_seconds: How long a ``timeout`` fault holds a request at most before answering 504
            (a spec's ``hold=`` overrides it while that spec is set).
    """

    def __init__(self, spec: FaultSpec | str = "", *, hold_seconds: float = 30.0) -> None:
        self.default_hold = hold_seconds
        self._lock = threading.Lock()
        self._spec = FaultSpec()
        self._rng = random.Random()
        self._latency_rng = random.Random()
        self._script: deque[str] = deque()
        self.set(spec)

    @property
    def hold_seconds(self) -> float:
        """How long a ``timeout`` fault holds a request before answering 504."""
        return self._spec.hold_s if self._spec.hold_s is not None else self.default_hold

    @property
    def spec(self) -> FaultSpec:
        """The active spec."""
        return self._spec

    def set(self, spec: FaultSpec | str) -> FaultSpec:
        """Replace the whole setting (an empty spec turns faults off) and reseed the dice."""
        parsed = parse_spec(spec) if isinstance(spec, str) else spec
        with self._lock:
            self._spec = parsed
            self._rng = random.Random(parsed.seed)
            self._latency_rng = random.Random(None if parsed.seed is None else parsed.seed + 1)
            self._script = deque(parsed.script)
        return parsed

    def pending_script(self) -> list[str]:
        """The scripted faults not used yet."""
        with self._lock:
            return list(self._script)

    def plan(self, method: str, path: str = "") -> FaultPlan:
        """Draw the fault and delay for one ``/v1`` request (its HTTP method and path)."""
        with self._lock:
            spec = self._spec
            if spec.empty or (spec.methods and method.upper() not in spec.methods):
                return FaultPlan(None)
            if spec.paths and not path.startswith(spec.paths):
                return FaultPlan(None)
            delay = 0.0
            if spec.latency_ms is not None:
                low, high = spec.latency_ms
                delay = self._latency_rng.uniform(low, high) / 1000
            if self._script:
                return FaultPlan(self._script.popleft(), delay)
            draw = self._rng.random()
            for kind, rate in spec.rates.items():
                if draw < rate:
                    return FaultPlan(kind, delay)
                draw -= rate
            return FaultPlan(None, delay)


def error_body(status: int, request_id: str) -> dict[str, Any]:
    """Notion's error object for an injected status fault."""
    code, message = ERRORS[status]
    body: dict[str, Any] = {
        "object": "error",
        "status": status,
        "code": code,
        "message": message,
        "request_id": request_id,
    }
    if status == 429:
        body["additional_data"] = {"rate_limit_reason": "public_api_request_rate_limit"}
    return body


def status_of(kind: str) -> int | None:
    """The HTTP status of a status fault kind ("503" or "503_after" -> 503), else None."""
    head = kind.removesuffix("_after")
    return int(head) if head in STATUS_KINDS else None
