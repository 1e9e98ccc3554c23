-- Liveness: each running process keeps a row here and beats it every couple of seconds (bot/core/liveness.py).
-- A process judged dead (no beat for a while, or on this host and its pid gone) has its row deleted by whoever
-- noticed; what it held (the Telegram polling lease, outbox claims, inbox rows it accepted) is then taken at
-- once instead of after a TTL. `ns` is the pid namespace, so pids are compared only where they mean the same.
CREATE TABLE processes (
    process_id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    ns TEXT NOT NULL DEFAULT '',
    pid INTEGER NOT NULL,
    started_at {ts} NOT NULL,
    beat_at {ts} NOT NULL
);

ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE inbox ADD COLUMN accepted_by TEXT;
-- Pending rows only: the sweep ranks them per person (fair service), a clean stop releases its own claims.
CREATE INDEX outbox_unsent ON outbox(platform, person_id, id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_claimed_by ON outbox(claimed_by) WHERE sent_at IS NULL AND failed_at IS NULL;
