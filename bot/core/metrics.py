"""Prometheus metrics of one process (issue 21), kept in a registry of its own, never the library's global one.

Off unless `PANELIST_METRICS=true`: the runtime then holds a `Metrics` and counts turns and deliveries; the
database reports each transaction's time, the ticker each tick's; `/metrics` adds, at scrape time, what only the
database knows (inbox lag, outbox backlog). No label names a person: platform, event kind, outcome, tick name.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5)
TICK_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120)


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.turns = Counter("panelist_turns", "Inbound events handled, by outcome (ok, failed, dropped).",
                             ["platform", "kind", "outcome"], registry=r)
        self.turn_seconds = Histogram("panelist_turn_seconds", "Time from taking an event to its replies being sent.",
                                      ["platform"], buckets=TURN_BUCKETS, registry=r)
        self.deliveries = Counter("panelist_deliveries", "Outgoing deliveries by outcome (sent, retry, rate_limited, "
                                  "failed).", ["platform", "outcome"], registry=r)
        self.transaction_seconds = Histogram("panelist_db_transaction_seconds", "Database transaction time, "
                                             "waiting for a connection or the writer included.",
                                             buckets=DB_BUCKETS, registry=r)
        self.tick_seconds = Histogram("panelist_tick_seconds", "Scheduler tick run time.", ["tick"],
                                      buckets=TICK_BUCKETS, registry=r)
        self.tick_failures = Counter("panelist_tick_failures", "Scheduler ticks that raised.", ["tick"], registry=r)
        self.ticks_missed = Counter("panelist_ticks_missed", "Scheduler ticks skipped (late, or the previous run of "
                                    "the same tick still running).", ["tick"], registry=r)
        self.inbox_waiting = Gauge("panelist_inbox_waiting", "Accepted events not processed yet.", ["platform"],
                                   registry=r)
        self.inbox_lag_seconds = Gauge("panelist_inbox_lag_seconds", "Age of the oldest unprocessed event.",
                                       ["platform"], registry=r)
        self.outbox_backlog = Gauge("panelist_outbox_backlog", "Deliveries not sent (nor failed) yet.", ["platform"],
                                    registry=r)
        self.outbox_oldest_seconds = Gauge("panelist_outbox_oldest_unsent_seconds", "Age of the oldest unsent "
                                           "delivery.", ["platform"], registry=r)
        self.platform_waits = Gauge("panelist_platform_waits", "Times a platform asked this process to slow down "
                                    "(429) or a call was retried after a network error, since start.",
                                    ["platform", "reason"], registry=r)

    def tick_ran(self, name: str, seconds: float, ok: bool) -> None:
        self.tick_seconds.labels(name).observe(seconds)
        if not ok:
            self.tick_failures.labels(name).inc()

    def tick_missed(self, name: str) -> None:
        self.ticks_missed.labels(name).inc()
