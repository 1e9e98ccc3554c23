"""Inter-rater agreement: percent agreement, Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

Inputs are plain Python values so handlers and exports can call these without numpy:

- a *unit* (item) is the list of values the raters gave it, `None` where a rater gave nothing;
  float NaN is treated as missing too, so data read from spreadsheets behaves the same;
- `units × raters`: `[[r1, r2, r3], [r1, None, r3], …]` — rows are items, columns are raters.
  Only Krippendorff's alpha cares which column is which rater; the others just count values.

Which level fits which question: labels → nominal (a multi-label answer as a `frozenset`, so only
identical sets agree); rating scores → ordinal (or interval when the scale's steps are equal);
pairwise preferences → ordinal over `PREFERENCE_SCALE`, or nominal over directions.

Every function returns `None` when the statistic is undefined rather than dividing by zero:
no unit with two ratings, or no variation at all (everyone always used the same single category,
so chance agreement is already perfect and "agreement beyond chance" is 0/0).

Arithmetic uses `fractions.Fraction` on counts: results are exact until the final `float`, so
permuting items or raters gives bit-identical values and perfect agreement gives exactly 1.0.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from fractions import Fraction
from itertools import combinations
from numbers import Real
from typing import Literal

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"]

# Pairwise preferences from "B clearly better" to "A clearly better": the order for ordinal alpha/kappa.
PREFERENCE_SCALE = ("b_much_better", "b_better", "tie", "a_better", "a_much_better")

__all__ = [
    "Level", "Weights", "PREFERENCE_SCALE", "percent_agreement", "cohen_kappa", "fleiss_kappa", "fleiss_kappa_from_counts",
    "krippendorff_alpha",
]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _present(unit: Iterable[Hashable | None]) -> list[Hashable]:
    return [v for v in unit if not _missing(v)]


def percent_agreement(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Share of agreeing rater pairs, averaged over units that have at least two ratings.

    With two raters this is simply the share of items both rated the same. With more raters each
    unit contributes the share of its rater pairs that agree (3 of 4 raters agreeing → 3/6 pairs),
    so every unit weighs the same however many people rated it. `None` if no unit has two ratings.
    """
    shares: list[Fraction] = []
    for unit in units:
        values = _present(unit)
        m = len(values)
        if m < 2:
            continue
        agreeing = sum(c * (c - 1) for c in Counter(values).values())  # ordered pairs
        shares.append(Fraction(agreeing, m * (m - 1)))
    if not shares:
        return None
    return float(sum(shares) / len(shares))


def _ordered_categories(values: Iterable[Hashable], categories: Sequence[Hashable] | None, ordered: bool) -> list:
    """The category list: as given, else first-seen order (nominal) or sorted (ordered scales)."""
    if categories is not None:
        cats = list(categories)
        if len(set(cats)) != len(cats):
            raise ValueError("categories must not repeat")
        unknown = set(values) - set(cats)
        if unknown:
            raise ValueError(f"values not among the categories: {sorted(map(repr, unknown))}")
        return cats
    seen = list(dict.fromkeys(values))
    if not ordered:
        return seen
    try:
        return sorted(seen)
    except TypeError as exc:
        raise ValueError("an ordered scale needs sortable values or an explicit `categories` order") from exc


def cohen_kappa(
    a: Sequence[Hashable | None],
    b: Sequence[Hashable | None],
    *,
    weights: Weights | None = None,
    categories: Sequence[Hashable] | None = None,
) -> float | None:
    """Cohen's kappa for two raters over the same items (a[i] and b[i] rate item i).

    Items where either rater gave nothing are left out. `weights="linear"` or `"quadratic"` gives
    weighted kappa for ordinal scales (disagreement weight |i-j|/(k-1) or its square, where i, j are
    positions in `categories`); without `categories` the observed values, sorted, are the scale,
    equally spaced — as R's `irr::kappa2` does. κ = 1 − Σ w·observed / Σ w·expected.
    `None` when no item has both ratings or when chance disagreement is zero (one category only).
    """
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"unknown weights {weights!r}: use 'linear', 'quadratic' or None")
    if len(a) != len(b):
        raise ValueError("both raters must rate the same items (sequences of equal length)")
    pairs = [(x, y) for x, y in zip(a, b) if not _missing(x) and not _missing(y)]
    if not pairs:
        return None
    cats = _ordered_categories([v for p in pairs for v in p], categories, ordered=weights is not None)
    k = len(cats)
    index = {c: i for i, c in enumerate(cats)}
    n = len(pairs)
    observed = Counter((index[x], index[y]) for x, y in pairs)
    rows = Counter(index[x] for x, _ in pairs)
    cols = Counter(index[y] for _, y in pairs)

    def weight(i: int, j: int) -> Fraction:
        if weights is None:
            return Fraction(int(i != j))
        if k < 2:
            return Fraction(0)
        d = Fraction(abs(i - j), k - 1)
        return d if weights == "linear" else d * d

    # Counts instead of proportions: Σ w·o/n over Σ w·r·c/n² — multiply both by n² to stay integral.
    obs = sum(weight(i, j) * cnt for (i, j), cnt in observed.items()) * n
    exp = sum(weight(i, j) * rows[i] * cols[j] for i in rows for j in cols)
    if exp == 0:
        return None
    return float(1 - obs / exp)


def fleiss_kappa_from_counts(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from an items × categories table of how many raters chose each category.

    Fleiss (1971) assumes every item has the same number of raters n. Here rows may differ: we use
    the common generalisation — each item's agreement P_i = Σ n_ij(n_ij−1) / (n_i(n_i−1)) is averaged
    over items (each item weighs the same), and chance agreement P_e = Σ p_j² uses category shares
    p_j pooled over all ratings. With a constant n this is exactly Fleiss' formula. Items with fewer
    than two ratings carry no pair and are skipped. For very uneven coverage prefer
    `krippendorff_alpha(level="nominal")`, which is built for missing data.
    `None` if no item has two ratings, or if all ratings fall in one category (P_e = 1).
    """
    p_items: list[Fraction] = []
    totals: Counter[int] = Counter()
    for row in table:
        if any(c < 0 for c in row):
            raise ValueError("counts must be non-negative")
        n_i = sum(row)
        if n_i < 2:
            continue
        p_items.append(Fraction(sum(c * (c - 1) for c in row), n_i * (n_i - 1)))
        for j, c in enumerate(row):
            totals[j] += c
    if not p_items:
        return None
    all_ratings = sum(totals.values())
    p_bar = sum(p_items) / len(p_items)
    p_e = sum(Fraction(c, all_ratings) ** 2 for c in totals.values())
    if p_e == 1:
        return None
    return float((p_bar - p_e) / (1 - p_e))


def fleiss_kappa(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Fleiss' kappa for nominal labels; each unit is the list of labels its raters gave.

    Which rater gave which label does not matter (raters may differ per item). Missing values are
    ignored, so items may have different numbers of raters — see `fleiss_kappa_from_counts`.
    """
    counted = [Counter(_present(unit)) for unit in units]
    cats = list(dict.fromkeys(c for counts in counted for c in counts))
    return fleiss_kappa_from_counts([[counts.get(c, 0) for c in cats] for counts in counted])


def _delta2(level: Level, cats: Sequence, totals: Mapping[int, Fraction]):
    """Squared difference function δ²(c, k) on category indexes, per Krippendorff (2011)."""
    if level == "nominal":
        return lambda c, k: Fraction(int(c != k))
    if level == "ordinal":
        # Ordinal distance counts how many pairable values lie between c and k (ranks, not numbers).
        cumulative = [Fraction(0)]
        for i in range(len(cats)):
            cumulative.append(cumulative[-1] + totals.get(i, Fraction(0)))

        def ordinal(c: int, k: int) -> Fraction:
            lo, hi = min(c, k), max(c, k)
            between = cumulative[hi + 1] - cumulative[lo] - (totals.get(lo, 0) + totals.get(hi, 0)) / 2
            return between * between

        return ordinal
    numbers = [Fraction(v) for v in cats]  # exact even for floats
    if level == "interval":
        return lambda c, k: (numbers[c] - numbers[k]) ** 2
    if level == "ratio":
        def ratio(c: int, k: int) -> Fraction:
            total = numbers[c] + numbers[k]
            return Fraction(0) if total == 0 else ((numbers[c] - numbers[k]) / total) ** 2

        return ratio
    raise ValueError(f"unknown level {level!r}: use nominal, ordinal, interval or ratio")


def krippendorff_alpha(
    units: Iterable[Sequence[Hashable | None]],
    level: Level = "nominal",
    *,
    categories: Sequence[Hashable] | None = None,
) -> float | None:
    """Krippendorff's alpha for a units × coders matrix with `None` for missing values.

    Follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": a coincidence matrix
    o_ck = Σ_u (pairs of values c,k within unit u) / (m_u − 1) over units with m_u ≥ 2 values, then
    α = 1 − (n − 1) · Σ o_ck δ²_ck / Σ n_c n_k δ²_ck. Units with fewer than two values are unpairable
    and left out, as in the paper. `level` picks δ²: nominal (same or not), ordinal (ranks, needs
    sortable values or an explicit `categories` order, e.g. a Likert scale as labels), interval
    (numeric difference squared) or ratio. `None` when fewer than two pairable values exist or when
    every pairable value is the same (expected disagreement 0).
    """
    if level in ("interval", "ratio"):
        def check(v: Hashable) -> None:
            if isinstance(v, bool) or not isinstance(v, Real) or math.isinf(v):
                raise ValueError(f"{level} data must be finite numbers, got {v!r}")
    else:
        def check(v: Hashable) -> None:
            return None

    pairable: list[Counter] = []
    for unit in units:
        values = _present(unit)
        for v in values:
            check(v)
        if len(values) >= 2:
            pairable.append(Counter(values))
    if not pairable:
        return None
    cats = _ordered_categories([v for counts in pairable for v in counts], categories,
                               ordered=level != "nominal")
    index = {c: i for i, c in enumerate(cats)}

    coincidence: Counter[tuple[int, int]] = Counter()
    for counts in pairable:
        m_u = sum(counts.values())
        items = [(index[v], n) for v, n in counts.items()]
        for c, n_c in items:
            for k, n_k in items:
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                if pairs:
                    coincidence[c, k] += Fraction(pairs, m_u - 1)
    totals: dict[int, Fraction] = {}
    for (c, _k), o in coincidence.items():
        totals[c] = totals.get(c, Fraction(0)) + o
    n = sum(totals.values())
    if n < 2:
        return None
    delta2 = _delta2(level, cats, totals)
    observed = sum(o * delta2(c, k) for (c, k), o in coincidence.items())
    present = sorted(totals)
    expected = sum(totals[c] * totals[k] * delta2(c, k) for c, k in combinations(present, 2)) * 2
    if expected == 0:
        return None
    return float(1 - (n - 1) * observed / expected)
