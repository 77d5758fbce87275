"""The formula evaluator: the common cases Notion users write, and honest refusal of the rest."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from syncbridge.sandbox import datevalues, formula

PROPS: dict[str, Any] = {
    "Price": 21.5,
    "Qty": 3,
    "Name": "Widget",
    "Empty": None,
    "Done": True,
    "Tags": ["a", "Done"],
    "Due": datevalues.parse("2026-07-01"),
}


def ev(expression: str) -> Any:
    return formula.evaluate(expression, PROPS.__getitem__, now="2026-06-27T17:01:00.000Z")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("2 ^ 3 ^ 2", 512),
        ("-2 ^ 2", -4),
        ("10 / 4", 2.5),
        ("10 % 4", 2),
        ("1 / 0", None),
        ('prop("Price") * prop("Qty")', 64.5),
        ('prop("Name") + " x" + prop("Qty")', "Widget x3"),
        ('concat(prop("Name"), "-", 2)', "Widget-2"),
        ('format(prop("Price"))', "21.5"),
        ('format(4.0) + "!"', "4!"),
        ('toNumber("42") + 1', 43),
        ('toNumber("x")', None),
        ('if(prop("Done"), "yes", "no")', "yes"),
        ('prop("Done") ? 1 : 2', 1),
        ('ifs(false, 1, prop("Qty") > 2, 2, 3)', 2),
        ('prop("Qty") >= 3 and prop("Price") < 22', True),
        ('not prop("Done") || prop("Qty") == 4', False),
        ('prop("Name") == "Widget"', True),
        ('prop("Name") != "widget"', True),
        ('prop("Empty") + 1', 1),
        ('empty(prop("Empty"))', True),
        ('prop("Tags").includes("Done")', True),
        ('prop("Tags").length()', 2),
        ('length(prop("Name"))', 6),
        ('upper(prop("Name"))', "WIDGET"),
        ("round(2.345, 2)", 2.35),
        ("max(1, 5, 3) + min(4, 2)", 7),
        ('dateBetween(prop("Due"), now(), "days")', 3),
        ('dateAdd(prop("Due"), 1, "months")', date(2026, 8, 1)),
        ('prop("Due") > now()', True),
        ('"a \\"quoted\\" word"', 'a "quoted" word'),
        ("={{notion:block_property:Qty:ds:ws}} * 2", 6),
    ],
)
def test_evaluates(expression: str, expected: Any) -> None:
    assert ev(expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        'formatDate(now(), "YWD")',
        "1 +",
        'prop("Name"',
        "@",
        "unknownFn(1)",
        "a.b",
        "(" * 100 + "1" + ")" * 100,
    ],
)
def test_unsupported_is_reported_not_guessed(expression: str) -> None:
    with pytest.raises(formula.Unsupported):
        ev(expression)


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        (84.0, {"type": "number", "number": 84}),
        (2.5, {"type": "number", "number": 2.5}),
        (True, {"type": "boolean", "boolean": True}),
        ("", {"type": "string", "string": None}),
        ("x", {"type": "string", "string": "x"}),
        (None, {"type": "string", "string": None}),
        (
            date(2026, 7, 1),
            {"type": "date", "date": {"start": "2026-07-01", "end": None, "time_zone": None}},
        ),
        (float("inf"), {"type": "number", "number": None}),
    ],
)
def test_result_shapes(value: Any, shape: dict[str, Any]) -> None:
    assert formula.result_value(value) == shape


def test_unsupported_formula_keeps_its_stored_value(world: Any) -> None:
    ds = world.data_source(
        {"Name": {"title": {}}, "F": {"formula": {"expression": 'formatDate(now(), "L")'}}}
    )
    page = world.create(ds, {})
    assert page["properties"]["F"]["formula"] == {"type": "string", "string": None}
    page["properties"]["F"]["formula"] = {"type": "string", "string": "kept"}
    assert world.refresh(page)["properties"]["F"]["formula"] == {"type": "string", "string": "kept"}


def test_formulas_referencing_formulas_and_cycles(world: Any) -> None:
    ds = world.data_source(
        {
            "Name": {"title": {}},
            "N": {"number": {}},
            "A": {"formula": {"expression": 'prop("N") + 1'}},
            "B": {"formula": {"expression": 'prop("A") * 10'}},
        }
    )
    page = world.create(ds, {"N": {"number": 4}})
    assert page["properties"]["B"]["formula"] == {"type": "number", "number": 50}
    assert world.update(page, {"N": {"number": 1}})["properties"]["B"]["formula"]["number"] == 20
