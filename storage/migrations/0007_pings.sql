-- Availability pings and broadcasts. Outbox rows carry a tag so a ping or broadcast can count what was
-- delivered and what failed (blocked the bot, left the workspace).

ALTER TABLE outbox ADD COLUMN tag TEXT;
CREATE INDEX outbox_tag ON outbox(tag);

CREATE TABLE pings (
    id {pk},
    manager_id BIGINT NOT NULL REFERENCES persons(id),
    question TEXT NOT NULL,
    target TEXT NOT NULL,
    options TEXT NOT NULL,
    window_end {ts} NOT NULL,
    closed_at {ts},
    created_at {ts} NOT NULL
);

CREATE TABLE ping_targets (
    ping_id BIGINT NOT NULL REFERENCES pings(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    answer TEXT,
    hours INTEGER,
    answered_at {ts},
    PRIMARY KEY (ping_id, person_id)
);

CREATE TABLE broadcasts (
    id {pk},
    manager_id BIGINT NOT NULL REFERENCES persons(id),
    body TEXT NOT NULL,
    target TEXT NOT NULL,
    total INTEGER NOT NULL,
    finished_at {ts},
    created_at {ts} NOT NULL
);
