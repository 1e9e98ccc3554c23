"""The words people type after a command, in each language the catalogs speak (en, es, pt_BR, fr, de).

An expert who reads "Use esta semana, semana passada, mês ou tudo" types those words, with or without accents;
each set below holds every language's words for one meaning, folded as `fold` folds them. The catalogs suggest
the first words of their own language; tests/test_words_in_every_language.py holds the two together.
"""
from __future__ import annotations

import unicodedata
from typing import Literal

TimerOp = Literal["start", "pause", "stop"]


def fold(text: str) -> str:
    """Case, accents (mês → mes, arrêter → arreter) and full-width forms folded, spaces collapsed, a trailing dot
    dropped (`lun.`): how typed words are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split()).rstrip(".")


THIS_MONTH = frozenset({
    "month", "this month",                                   # en
    "mes", "este mes",                                       # es; pt "mês", "este mês" fold to the same
    "mes atual", "mes corrente",                             # pt
    "mois", "ce mois", "ce mois-ci", "mois en cours",        # fr
    "monat", "diesen monat", "dieser monat", "aktueller monat",  # de
})
LAST_MONTH = frozenset({
    "last month", "previous month",
    "mes pasado", "el mes pasado", "mes anterior",
    "mes passado", "o mes passado",
    "mois dernier", "le mois dernier", "mois precedent",
    "letzten monat", "letzter monat", "vormonat", "vergangenen monat", "vergangener monat", "vorigen monat",
})
EVERYTHING = frozenset({
    "all", "everything",
    "todo", "todos",
    "tudo",
    "tout", "tous",
    "alle", "alles",
})
TIMER_WORDS: dict[TimerOp, frozenset[str]] = {
    "start": frozenset({"start", "resume",
                        "iniciar", "empezar", "reanudar", "continuar",
                        "comecar", "retomar",
                        "demarrer", "commencer", "reprendre", "lancer",
                        "starten", "fortsetzen", "weiter"}),
    "pause": frozenset({"pause", "pausa", "pausar", "pausieren", "anhalten"}),
    "stop": frozenset({"stop", "parar", "detener", "terminar", "encerrar", "arreter", "terminer", "stopp",
                       "stoppen", "beenden"}),
}


def timer_op(word: str) -> TimerOp | None:
    """What `/timer WORD` asks for, in any of the languages; None for a word that names none."""
    folded = fold(word)
    return next((op for op, words in TIMER_WORDS.items() if folded in words), None)
