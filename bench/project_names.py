"""How long the project-name resolver takes on hostile input (issue 18, point 4), against a floor in the same run.

    python -m bench.project_names [--names 2000] [--typed-chars 1000000] [--rounds 20]

Rows: `resolve` with a huge typed name (cut to MAX_TYPED, then every tier over every name), `resolve` with an
ordinary prefix, and the floor: one `str.startswith` pass over names folded in advance. `ratio` is each row's
time over the floor's.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import best_of  # noqa: E402
from domain.project_names import normalise, resolve  # noqa: E402



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, default=2000)
    parser.add_argument("--typed-chars", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    names = [(i, f"Project {i} — Évaluation " + "x" * 200) for i in range(args.names)]
    folded = [(i, normalise(n)) for i, n in names]
    rows = [
        ("floor: one startswith pass", best_of(lambda: [i for i, n in folded if n.startswith("project 1")], args.rounds)),
        ("resolve, ordinary prefix", best_of(lambda: resolve("project 1", names), args.rounds)),
        (f"resolve, {args.typed_chars:,} chars typed", best_of(lambda: resolve("y" * args.typed_chars, names), args.rounds)),
    ]
    floor = rows[0][1]
    print(f"{args.names:,} names, best of {args.rounds}")
    print(f"{'row':<36}{'ms':>10}{'ratio':>8}")
    for label, seconds in rows:
        print(f"{label:<36}{seconds * 1000:>10.2f}{seconds / floor:>8.1f}")


if __name__ == "__main__":
    main()
