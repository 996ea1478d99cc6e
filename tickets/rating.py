"""A thumbs up or down on a reply, with an optional reason: kept on the message it rates (so
the thread, live pages and exports show it) and as a record of its own (see
:mod:`tickets.feedback`), where reports count it without reading messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from tickets import fields

Value = Literal["up", "down"]
VALUES: tuple[Value, ...] = ("up", "down")
REASON_MAX = 500


@dataclass(frozen=True)
class Rating:
    value: Value
    rater_uid: str
    at: datetime
    reason: str = ""

    @property
    def thumb(self) -> str:
        return "👍" if self.value == "up" else "👎"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "raterUid": self.rater_uid,
            "at": self.at,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rating:
        from tickets.domain import as_datetime  # the domain imports this module

        if not isinstance(data, Mapping):
            raise TypeError("a rating is not a map")
        value = fields.required_text(data, "value", limit=8)
        if value not in VALUES:
            raise ValueError("a rating is up or down")
        return cls(
            value="up" if value == "up" else "down",
            rater_uid=fields.required_text(data, "raterUid", limit=64),
            at=as_datetime(data["at"]),
            reason=fields.text(data, "reason", limit=REASON_MAX * 4),
        )
