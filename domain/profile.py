"""An expert's profile: what onboarding asks and what matching later reads."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from domain.timezones import valid_timezone

DOMAINS = (
    "medicine", "law", "software_engineering", "data_analysis", "finance", "business_operations",
    "sciences", "engineering", "arts_design", "language_audio", "humanities",
)
Domain = Literal[
    "medicine", "law", "software_engineering", "data_analysis", "finance", "business_operations",
    "sciences", "engineering", "arts_design", "language_audio", "humanities",
]
ROLES = ("expert", "reviewer", "manager", "admin")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Strip control characters (keep newlines and tabs) and surrounding space."""
    return _CONTROL.sub("", value).strip()


class ExpertProfile(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    domains: list[Domain] = Field(min_length=1, max_length=len(DOMAINS))
    years: int = Field(ge=0, le=70)
    credentials: str = Field(min_length=2, max_length=2000)
    languages: list[str] = Field(min_length=1, max_length=20)
    timezone: str
    weekly_hours: int = Field(ge=0, le=80)

    @field_validator("name", "credentials", mode="before")
    @classmethod
    def _clean(cls, v: object) -> object:
        return clean_text(v) if isinstance(v, str) else v

    @field_validator("languages", mode="before")
    @classmethod
    def _split(cls, v: object) -> object:
        if isinstance(v, str):
            v = [part for part in re.split(r"[,;/\n]+", v)]
        if isinstance(v, list):
            items = [clean_text(str(p)) for p in v if clean_text(str(p))]
            if any(len(p) > 40 for p in items):
                raise ValueError("key:form.error.language_name")
            return list(dict.fromkeys(items))
        return v

    @field_validator("timezone", mode="before")
    @classmethod
    def _tz(cls, v: object) -> object:
        if not isinstance(v, str) or not valid_timezone(v.strip()):
            raise ValueError("key:form.error.timezone")
        return v.strip()
