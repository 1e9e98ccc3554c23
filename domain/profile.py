"""An expert's profile: what onboarding asks and what matching later reads."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from domain.timezones import match_timezone

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
        """An IANA name, or a city or country that names exactly one zone ("Madrid" → Europe/Madrid)."""
        zones = match_timezone(v) if isinstance(v, str) else []
        if not zones:
            raise ValueError("key:form.error.timezone")
        if len(zones) > 1:
            raise ValueError("key:form.error.timezone_ambiguous")
        return zones[0]


class ProfileAnswers(ExpertProfile):
    """The onboarding form's answers: as the profile, but the time zone step takes a city or country that names
    several zones ("Mexico", "San"), and a second step (`timezone_pick`) asks which of them."""

    # validate_default: a missing pick is an error exactly when the typed name is ambiguous
    timezone_pick: str | None = Field(default=None, validate_default=True)

    @field_validator("timezone", mode="before")
    @classmethod
    def _tz(cls, v: object) -> object:
        if not isinstance(v, str) or not match_timezone(v):
            raise ValueError("key:form.error.timezone")
        return v.strip()

    @field_validator("timezone_pick")
    @classmethod
    def _pick(cls, v: str | None, info: ValidationInfo) -> str | None:
        typed = info.data.get("timezone")
        zones = match_timezone(typed) if isinstance(typed, str) else []
        if len(zones) > 1 and v not in zones:
            raise ValueError("key:form.error.timezone_ambiguous")
        return v

    @model_validator(mode="after")
    def _resolve(self) -> "ProfileAnswers":
        zones = match_timezone(self.timezone)
        self.timezone = zones[0] if len(zones) == 1 else (self.timezone_pick or self.timezone)
        return self

    def profile(self) -> ExpertProfile:
        return ExpertProfile.model_validate(self.model_dump(exclude={"timezone_pick"}))
