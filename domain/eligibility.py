"""Who may join a project: domain, languages, and (later) qualifications. Reasons are catalog keys."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale

from domain.project_spec import ProjectSpec
from domain.timezones import fold


@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    """Language names in English and Spanish → ISO code, for matching what people typed in onboarding."""
    names: dict[str, str] = {}
    for display in ("en", "es"):
        for code, name in Locale.parse(display).languages.items():
            if len(code) == 2:
                names.setdefault(fold(name), code)
    return names


def language_codes(typed: list[str]) -> set[str]:
    """'English', 'español', 'espanol', 'en', 'pt-BR' → {'en', 'es', 'pt'}; unknown names are ignored. Names are
    compared without case or accents, as people type them."""
    codes = set()
    names = _language_names()
    for entry in typed:
        t = entry.strip().casefold()
        if fold(t) in names:
            codes.add(names[fold(t)])
        elif 2 <= len(t.split("-")[0].split("_")[0]) <= 3 and t.replace("-", "").replace("_", "").isalpha():
            codes.add(t.split("-")[0].split("_")[0])
    return codes


def ineligibility(profile: dict, spec: ProjectSpec, qualifications: dict[str, int] | None = None) -> list[str]:
    """Why this person may not join (catalog keys); empty when they may.

    `qualifications` maps what a person holds (a qualification or domain name) to its level."""
    reasons = []
    if spec.requires is not None and qualifications is not None:
        wanted = spec.requires.qualification or spec.requires.domain
        held = qualifications.get(wanted, 0)
        if spec.requires.qualification is None and wanted in profile.get("domains", []):
            held = max(held, 1)  # a declared domain counts as level 1; higher levels need an assessment
        if held < spec.requires.level:
            reasons.append("projects.reason.qualification")
    if spec.domain not in profile.get("domains", []):
        reasons.append("projects.reason.domain")
    if spec.languages:
        wanted = {lang.split("-")[0].lower() for lang in spec.languages}
        if not wanted & language_codes(profile.get("languages", [])):
            reasons.append("projects.reason.language")
    return reasons
