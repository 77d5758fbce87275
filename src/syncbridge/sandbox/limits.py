"""Notion's documented size limits, enforced by the sandbox's property and query functions."""

from __future__ import annotations

MAX_TEXT_CONTENT = 2000  # rich text text.content
MAX_LINK_URL = 2000  # rich text text.link.url
MAX_EQUATION = 1000  # equation.expression
MAX_RICH_TEXT_ITEMS = 100  # any rich-text array
MAX_URL = 2000
MAX_EMAIL = 200
MAX_PHONE = 200
MAX_MULTI_SELECT = 100
MAX_RELATION = 100  # related pages per request
MAX_PEOPLE = 100
MAX_FILES = 100
MAX_OPTION_NAME = 100
MAX_PROPERTY_NAME = 100  # not documented; generous enough for real schemas
MAX_FILTER_DEPTH = 2  # compound filter nesting
MAX_COMPOUND_ITEMS = 100  # and/or arrays
MAX_RESPONSE_REFS = 25  # page retrieve shows at most 25 relation/people references
MAX_FORMULA_EXPRESSION = 10_000  # not documented; bounds the evaluator's work
