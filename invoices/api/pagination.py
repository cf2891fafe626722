"""Cursor (keyset) pagination over any of the selectors' orderings, nullable sort keys included.

DRF's CursorPagination needs a unique, non-null first ordering field; ours sort by due date, total or confidence,
which may be empty, with the id breaking ties. So the cursor here holds the whole position — the values of every
ordering key of the last row seen — and the next page is "rows after that position", with empty values placed
last in either direction. Pages stay correct while rows are added or change, and no page costs a COUNT or an
OFFSET scan.

The cursor is opaque to clients (base64 of JSON); they follow ``next`` / ``previous`` links.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class Key:
    field: str
    descending: bool
    nullable: bool


def parse_ordering(model, ordering: Sequence[str]) -> list[Key]:
    keys = []
    for name in ordering:
        field = name.lstrip("-")
        keys.append(Key(field, name.startswith("-"), model._meta.get_field(field).null))
    return keys


def _encode_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


@dataclass(frozen=True, slots=True)
class Cursor:
    ordering: str  # the ordering name the client asked for (selectors.ORDERINGS key, or the view's fixed one)
    position: tuple[Any, ...]
    reverse: bool = False  # True: the page before the position

    def encode(self) -> str:
        payload = {"o": self.ordering, "p": [_encode_value(v) for v in self.position], "r": int(self.reverse)}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
            return cls(str(payload["o"]), tuple(payload["p"]), bool(payload.get("r")))
        except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
            raise ValidationError({"cursor": ["This cursor is not valid; follow the next/previous links as given."]})


def _after(keys: list[Key], position: Sequence[Any], reverse: bool) -> Q:
    """Rows strictly after ``position`` in the order ``keys`` (nulls last), or strictly before it if ``reverse``."""
    disjuncts = []
    for index, key in enumerate(keys):
        equal = Q()
        for previous, value in zip(keys[:index], position[:index], strict=True):
            equal &= Q(**{f"{previous.field}__isnull": True}) if value is None else Q(**{previous.field: value})
        value = position[index]
        forward_op = "lt" if key.descending else "gt"
        backward_op = "gt" if key.descending else "lt"
        if not reverse:
            if value is None:
                continue  # nothing comes after an empty value in this key: empties are last
            step = Q(**{f"{key.field}__{forward_op}": value})
            if key.nullable:
                step |= Q(**{f"{key.field}__isnull": True})
        else:
            step = (Q(**{f"{key.field}__isnull": False}) if value is None
                    else Q(**{f"{key.field}__{backward_op}": value}))
        disjuncts.append(equal & step)
    condition = Q(pk__in=[])
    for disjunct in disjuncts:
        condition |= disjunct
    return _leading_bound(keys[0], position[0], reverse) & condition


def _leading_bound(key: Key, value: Any, reverse: bool) -> Q:
    """A redundant range on the first key, implied by the condition, that lets the database use its index."""
    at_or_after = "lte" if key.descending else "gte"
    at_or_before = "gte" if key.descending else "lte"
    if not reverse:
        if value is None:
            return Q(**{f"{key.field}__isnull": True})
        bound = Q(**{f"{key.field}__{at_or_after}": value})
        return bound | Q(**{f"{key.field}__isnull": True}) if key.nullable else bound
    if value is None:
        return Q()
    return Q(**{f"{key.field}__{at_or_before}": value})


def _order_expressions(keys: list[Key], reverse: bool) -> list:
    expressions = []
    for key in keys:
        descending = key.descending != reverse
        expression = F(key.field).desc if descending else F(key.field).asc
        if not key.nullable:
            expressions.append(expression())
        else:  # empties last going forward; reading backwards flips that too
            expressions.append(expression(nulls_first=True) if reverse else expression(nulls_last=True))
    return expressions


class KeysetCursorPagination(BasePagination):
    """``?cursor=…&page_size=…``; the view says which ordering applies (``view.get_ordering()``)."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.request = request
        ordering_name, ordering = view.get_ordering()
        keys = parse_ordering(queryset.model, ordering)
        self.page_size = self._page_size(request)
        token = request.query_params.get(self.cursor_query_param)
        cursor = Cursor.decode(token) if token else None
        if cursor is not None:
            if cursor.ordering != ordering_name:
                raise ValidationError({"cursor": [
                    f"This cursor belongs to ordering “{cursor.ordering}”, not “{ordering_name}”; "
                    "keep the other parameters of the link you followed."]})
            if len(cursor.position) != len(keys):
                raise ValidationError({"cursor": ["This cursor is not valid; follow the next/previous links as given."]})
            position = self._typed_position(queryset.model, keys, cursor.position)
            queryset = queryset.filter(_after(keys, position, cursor.reverse))
        reverse = cursor is not None and cursor.reverse
        rows = list(queryset.order_by(*_order_expressions(keys, reverse))[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
        self.next_cursor = self.previous_cursor = None

        def at(row) -> tuple:
            return tuple(getattr(row, key.field) for key in keys)

        if reverse:
            if more and rows:
                self.previous_cursor = Cursor(ordering_name, at(rows[0]), reverse=True)
            self.next_cursor = Cursor(ordering_name, at(rows[-1]) if rows else cursor.position)
        else:
            if more:
                self.next_cursor = Cursor(ordering_name, at(rows[-1]))
            if cursor is not None:
                self.previous_cursor = Cursor(ordering_name, at(rows[0]) if rows else cursor.position, reverse=True)
        return rows

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return DEFAULT_PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError({"page_size": [f"Give a whole number from 1 to {MAX_PAGE_SIZE}."]})
        return size

    @staticmethod
    def _typed_position(model, keys: list[Key], values: Sequence[Any]) -> tuple:
        typed = []
        for key, value in zip(keys, values, strict=True):
            if value is None:
                typed.append(None)
                continue
            try:
                typed.append(model._meta.get_field(key.field).to_python(value))
            except (DjangoValidationError, ValueError, TypeError):
                raise ValidationError({"cursor": ["This cursor is not valid; follow the next/previous links as given."]})
        if typed[-1] is None:  # the tie-breaker (the id) is never empty
            raise ValidationError({"cursor": ["This cursor is not valid; follow the next/previous links as given."]})
        return tuple(typed)

    def _link(self, cursor: Cursor | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor.encode())

    def get_paginated_response(self, data) -> Response:
        return Response({"next": self._link(self.next_cursor), "previous": self._link(self.previous_cursor),
                         "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True,
                "description": "The next (or previous) page; null when there is none."}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": "Where the page starts: take it from a previous response's next/previous link.",
             "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"Rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}).",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}},
        ]

    def get_first_page_link(self) -> str:
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
