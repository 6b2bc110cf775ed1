"""Pieces of the JSON APIs' response models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, PlainSerializer, WithJsonSchema

# a time as the API has always written it, Python's isoformat() (pydantic's JSON would write UTC as "Z")
IsoTime = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Failure(BaseModel):
    """The answer of a refused request."""

    success: bool = False
    message: str
