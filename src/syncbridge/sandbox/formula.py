"""A small evaluator for Notion formulas: the common cases, computed the way Notion shows them.

Supported: number/string/boolean literals, ``prop("Name")`` and Notion's stored
``{{notion:block_property:<id>:…}}`` references, ``+ - * / % ^``, comparisons, ``and``/``or``/
``not`` (and ``&& || !``), ``a ? b : c``, method calls (``x.length()``) and the functions in
:data:`FUNCTIONS`. Anything else raises :class:`Unsupported`, and the caller keeps the value it
had: the sandbox never invents a result it cannot compute.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from syncbridge.sandbox import datevalues


class Unsupported(Exception):
    """The expression uses syntax or a function this evaluator does not implement."""


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<ref>\{\{notion:block_property:[^}]*\}\})
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|>=|<=|&&|\|\||[-+*/%^()<>,.?:!\[\]])
)""",
    re.VERBOSE,
)
_BINARY = {
    "or": 1, "||": 1, "and": 2, "&&": 2,
    "==": 3, "!=": 3, ">": 4, "<": 4, ">=": 4, "<=": 4,
    "+": 5, "-": 5, "*": 6, "/": 6, "%": 6, "^": 8,
}  # fmt: skip
_MAX_DEPTH = 60

Resolver = Callable[[str], Any]  # property name or id -> Python value


def tokenize(text: str) -> list[tuple[str, str]]:
    """Split an expression into (kind, text) tokens."""
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise Unsupported(f"unexpected character at {pos}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, text: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (text is not None and tok[1] != text):
            raise Unsupported(f"expected {text or 'a token'}")
        self.pos += 1
        return tok

    def expression(self, min_prec: int = 0) -> Any:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise Unsupported("expression nested too deeply")
        left = self.unary()
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok[1] == "?" and min_prec == 0:
                self.take()
                then = self.expression()
                self.take(":")
                other = self.expression()
                left = ("call", "if", [left, then, other])
                continue
            prec = _BINARY.get(tok[1])
            if prec is None or prec < min_prec or prec == 0:
                break
            self.take()
            right = self.expression(prec if tok[1] == "^" else prec + 1)
            left = ("bin", tok[1], left, right)
        self.depth -= 1
        return left

    def unary(self) -> Any:
        tok = self.peek()
        if tok is not None and tok[1] in ("-", "+", "!", "not"):
            self.take()
            operand = self.expression(7)
            return (
                ("neg", operand)
                if tok[1] == "-"
                else operand
                if tok[1] == "+"
                else ("not", operand)
            )
        return self.postfix(self.primary())

    def postfix(self, node: Any) -> Any:
        while (tok := self.peek()) is not None and tok[1] == ".":
            self.take()
            name = self.take()
            if name[0] != "name":
                raise Unsupported("expected a method name")
            args = self.arguments()
            node = ("call", name[1], [node, *args])
        return node

    def arguments(self) -> list[Any]:
        self.take("(")
        args: list[Any] = []
        if self.peek() is not None and self.peek() != ("op", ")"):
            args.append(self.expression())
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.expression())
        self.take(")")
        return args

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return ("lit", float(text) if any(c in text for c in ".eE") else int(text))
        if kind == "str":
            return ("lit", _unescape(text[1:-1]))
        if kind == "ref":
            return ("prop", text.split(":")[2])
        if kind == "name":
            if text in ("true", "false"):
                return ("lit", text == "true")
            if text == "prop":
                args = self.arguments()
                if len(args) != 1 or args[0][0] != "lit" or not isinstance(args[0][1], str):
                    raise Unsupported("prop() takes one string")
                return ("prop", args[0][1])
            if self.peek() == ("op", "("):
                return ("call", text, self.arguments())
            raise Unsupported(f"unknown name {text}")
        if text == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if text == "[":
            items: list[Any] = []
            if self.peek() != ("op", "]"):
                items.append(self.expression())
                while self.peek() == ("op", ","):
                    self.take()
                    items.append(self.expression())
            self.take("]")
            return ("list", items)
        raise Unsupported(f"unexpected {text}")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def parse(expression: str) -> Any:
    """Parse ``expression`` into a tree; raises :class:`Unsupported` on anything unknown."""
    tree = _parse_cached(expression)
    if isinstance(tree, Unsupported):
        raise Unsupported(str(tree))
    return tree


@functools.lru_cache(maxsize=1024)
def _parse_cached(expression: str) -> Any:
    # every page of a data source shares its formulas: parse each expression once
    try:
        return _parse(expression)
    except Unsupported as exc:
        return exc
    except RecursionError:
        return Unsupported("expression nested too deeply")


def _parse(expression: str) -> Any:
    expression = expression.strip()
    if expression.startswith("=") and not expression.startswith("=="):
        expression = expression[1:]  # spreadsheet habit; Notion accepts and keeps it
    parser = _Parser(tokenize(expression))
    tree = parser.expression()
    if parser.peek() is not None:
        raise Unsupported("trailing tokens")
    return tree


def evaluate(expression: str, resolve: Resolver, *, now: str = "") -> Any:
    """Evaluate ``expression``; ``resolve`` maps a property name or id to its Python value."""
    return _eval(parse(expression), resolve, now)


def _eval(node: Any, resolve: Resolver, now: str) -> Any:
    tag = node[0]
    if tag == "lit":
        return node[1]
    if tag == "prop":
        return resolve(node[1])
    if tag == "list":
        return [_eval(n, resolve, now) for n in node[1]]
    if tag == "neg":
        return -_num(_eval(node[1], resolve, now))
    if tag == "not":
        return not _truthy(_eval(node[1], resolve, now))
    if tag == "bin":
        return _binary(node[1], node[2], node[3], resolve, now)
    name, args = node[1], node[2]
    if name in ("if", "ifs"):
        return _ifs(args, resolve, now)
    func = FUNCTIONS.get(name)
    if func is None:
        raise Unsupported(f"function {name}")
    if name == "now":
        return datevalues.parse(now)
    return func(*[_eval(a, resolve, now) for a in args])


def _ifs(args: list[Any], resolve: Resolver, now: str) -> Any:
    for n in range(0, len(args) - 1, 2):
        if _truthy(_eval(args[n], resolve, now)):
            return _eval(args[n + 1], resolve, now)
    return _eval(args[-1], resolve, now) if len(args) % 2 else None


def _binary(op: str, left: Any, right: Any, resolve: Resolver, now: str) -> Any:
    a = _eval(left, resolve, now)
    if op in ("and", "&&"):
        return _truthy(a) and _truthy(_eval(right, resolve, now))
    if op in ("or", "||"):
        return _truthy(a) or _truthy(_eval(right, resolve, now))
    b = _eval(right, resolve, now)
    if op == "+":
        if isinstance(a, str) or isinstance(b, str):
            return to_text(a) + to_text(b)
        return _num(a) + _num(b)
    if op in ("==", "!="):
        same = _equal(a, b)
        return same if op == "==" else not same
    if op in (">", "<", ">=", "<="):
        return _compare(op, a, b)
    x, y = _num(a), _num(b)
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "^":
        try:
            return x**y
        except (OverflowError, ZeroDivisionError):
            raise Unsupported("power out of range") from None
    if y == 0:
        return None
    return x / y if op == "/" else math.fmod(x, y)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if _is_num(a) and _is_num(b):
        return bool(a == b)
    return to_text(a) == to_text(b) if None in (a, b) else bool(a == b)


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        x: Any
        y: Any
        x, y = a, b
    elif isinstance(a, date) and isinstance(b, date):
        x, y = datevalues.moment(a), datevalues.moment(b)
        cmp = datevalues.compare(x, y)
        return {">": cmp > 0, "<": cmp < 0, ">=": cmp >= 0, "<=": cmp <= 0}[op]
    else:
        x, y = _num(a), _num(b)
    return bool({">": x > y, "<": x < y, ">=": x >= y, "<=": x <= y}[op])


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _num(v: Any) -> float | int:
    if v is None:
        return 0
    if isinstance(v, bool):
        return int(v)
    if _is_num(v):
        return v  # type: ignore[no-any-return]
    if isinstance(v, str):
        return to_number(v) or 0
    raise Unsupported("not a number")


def _truthy(v: Any) -> bool:
    if isinstance(v, str | list):
        return len(v) > 0
    return bool(v)


def to_text(v: Any) -> str:
    """Notion's text form of a value (numbers without a needless ``.0``)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isfinite(v) and v == int(v) and abs(v) < 1e16:
            return str(int(v))
        return repr(v)
    if isinstance(v, datetime | date):
        return datevalues.render(v)
    if isinstance(v, list):
        return ",".join(to_text(x) for x in v)
    return str(v)


def to_number(v: Any) -> float | int | None:
    """``toNumber()``: numbers as is, numeric text parsed, booleans 0/1, else None."""
    if isinstance(v, bool):
        return int(v)
    if _is_num(v):
        return v  # type: ignore[no-any-return]
    if isinstance(v, str):
        try:
            f = float(v.strip())
        except ValueError:
            return None
        return int(f) if f.is_integer() and abs(f) < 1e16 else f
    return None


def _length(v: Any) -> int:
    return len(v) if isinstance(v, list) else len(to_text(v))


def _contains(v: Any, x: Any) -> bool:
    if isinstance(v, list):
        return any(_equal(i, x) for i in v)
    return to_text(x) in to_text(v)


def _round(v: Any, places: Any = 0) -> float:
    factor: float = 10 ** int(_num(places))
    return float(math.floor(_num(v) * factor + 0.5) / factor)


def _safe(func: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        try:
            return func(*args)
        except (TypeError, ValueError, OverflowError, IndexError):
            raise Unsupported(f"bad arguments to {func.__name__}") from None

    return call


_BASE: dict[str, Callable[..., Any]] = {
    "concat": lambda *a: (
        [x for v in a for x in (v if isinstance(v, list) else [v])]
        if any(isinstance(v, list) for v in a)
        else "".join(to_text(v) for v in a)
    ),
    "format": to_text,
    "toNumber": to_number,
    "length": _length,
    "lower": lambda v: to_text(v).lower(),
    "upper": lambda v: to_text(v).upper(),
    "contains": _contains,
    "includes": _contains,
    "empty": lambda v: v is None or v == "" or v == [] or v == 0 or v is False,
    "not": lambda v: not _truthy(v),
    "and": lambda *a: all(_truthy(v) for v in a),
    "or": lambda *a: any(_truthy(v) for v in a),
    "abs": lambda v: abs(_num(v)),
    "round": _round,
    "floor": lambda v: math.floor(_num(v)),
    "ceil": lambda v: math.ceil(_num(v)),
    "sqrt": lambda v: math.sqrt(_num(v)),
    "min": lambda *a: min(_num(v) for v in _flat(a)),
    "max": lambda *a: max(_num(v) for v in _flat(a)),
    "sum": lambda *a: sum(_num(v) for v in _flat(a)),
    "join": lambda v, sep="": to_text(sep).join(
        to_text(x) for x in (v if isinstance(v, list) else [v])
    ),
    "substring": lambda v, s, e=None: to_text(v)[
        int(_num(s)) : None if e is None else int(_num(e))
    ],
    "replace": lambda v, a, b: to_text(v).replace(to_text(a), to_text(b), 1),
    "replaceAll": lambda v, a, b: to_text(v).replace(to_text(a), to_text(b)),
    "startsWith": lambda v, p: to_text(v).startswith(to_text(p)),
    "endsWith": lambda v, p: to_text(v).endswith(to_text(p)),
    "trim": lambda v: to_text(v).strip(),
    "now": lambda: None,
    "start": lambda v: v,
    "toString": to_text,
}
FUNCTIONS: Mapping[str, Callable[..., Any]] = {name: _safe(f) for name, f in _BASE.items()}


_UNIT_DELTAS = {
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
    "days": timedelta(days=1),
    "weeks": timedelta(weeks=1),
}
_UNIT_MONTHS = {"months": 1, "quarters": 3, "years": 12}


def _date_arg(v: Any) -> date:
    if not isinstance(v, date):
        raise Unsupported("not a date")
    return v


def _date_add(v: Any, amount: Any, unit: Any, sign: int = 1) -> date:
    base = _date_arg(v)
    n = _num(amount) * sign
    unit = to_text(unit)
    if unit in _UNIT_MONTHS:
        months = int(n * _UNIT_MONTHS[unit])
        moved = datevalues.add_months(
            base if not isinstance(base, datetime) else base.date(), months
        )
        return base.replace(year=moved.year, month=moved.month, day=moved.day)
    if unit not in _UNIT_DELTAS:
        raise Unsupported(f"unit {unit}")
    if not isinstance(base, datetime) and unit in ("minutes", "hours"):
        base = datetime(base.year, base.month, base.day, tzinfo=UTC)
    return base + _UNIT_DELTAS[unit] * n


def _date_between(a: Any, b: Any, unit: Any) -> int:
    x, y = _as_datetime(_date_arg(a)), _as_datetime(_date_arg(b))
    unit = to_text(unit)
    if unit in _UNIT_MONTHS:
        months = (x.year - y.year) * 12 + (x.month - y.month)
        if months > 0 and (x.day, x.time()) < (y.day, y.time()):
            months -= 1
        elif months < 0 and (x.day, x.time()) > (y.day, y.time()):
            months += 1
        return int(months / _UNIT_MONTHS[unit])
    if unit not in _UNIT_DELTAS:
        raise Unsupported(f"unit {unit}")
    return int((x - y) / _UNIT_DELTAS[unit])


def _as_datetime(v: date) -> datetime:
    if isinstance(v, datetime):
        return v
    return datetime(v.year, v.month, v.day, tzinfo=UTC)


def _part(field: str) -> Callable[[Any], int]:
    def get(v: Any) -> int:
        d = _date_arg(v)
        if field in ("hour", "minute"):
            return getattr(d, field, 0) if isinstance(d, datetime) else 0
        return int(getattr(d, field))

    return get


_BASE.update(
    {
        "dateAdd": _date_add,
        "dateSubtract": lambda v, n, u: _date_add(v, n, u, -1),
        "dateBetween": _date_between,
        "year": _part("year"),
        "month": _part("month"),
        "day": lambda v: (_date_arg(v).weekday() + 1) % 7,
        "date": _part("day"),
        "hour": _part("hour"),
        "minute": _part("minute"),
    }
)
FUNCTIONS = {name: _safe(f) for name, f in _BASE.items()}


def _flat(args: tuple[Any, ...]) -> list[Any]:
    return [x for v in args for x in (v if isinstance(v, list) else [v])]


def result_value(value: Any) -> dict[str, Any]:
    """The page-property form of a result: ``{"type": "number", "number": 84}`` etc."""
    if isinstance(value, bool):
        return {"type": "boolean", "boolean": value}
    if _is_num(value):
        if isinstance(value, float) and not math.isfinite(value):
            return {"type": "number", "number": None}
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
            value = int(value)
        return {"type": "number", "number": value}
    if isinstance(value, datetime | date):
        return {
            "type": "date",
            "date": {"start": datevalues.render(value), "end": None, "time_zone": None},
        }
    text = to_text(value)
    return {"type": "string", "string": text or None}
