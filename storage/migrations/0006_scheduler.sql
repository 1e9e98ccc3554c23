-- Availability, reminder preferences and the reminder rows the scheduler tick claims.

CREATE TABLE availability (
    person_id BIGINT PRIMARY KEY REFERENCES persons(id),
    status TEXT NOT NULL DEFAULT 'available',
    hours_this_week INTEGER,
    away_until {ts},
    work_start TEXT,
    work_end TEXT,
    quiet_start TEXT,
    quiet_end TEXT,
    updated_at {ts} NOT NULL
);

CREATE TABLE reminder_prefs (
    person_id BIGINT NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    PRIMARY KEY (person_id, kind)
);

-- One row per reminder; `dedupe_key` makes "the same reminder about the same thing" exist once.
CREATE TABLE reminders (
    id {pk},
    person_id BIGINT NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    due_at {ts} NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    recurrence TEXT,
    claimed_until {ts},
    last_sent_at {ts},
    done_at {ts},
    created_at {ts} NOT NULL
);
CREATE INDEX reminders_due ON reminders(done_at, due_at);

-- When each kind was last sent to a person: the cap of one per kind per interval.
CREATE TABLE reminder_sends (
    person_id BIGINT NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    sent_at {ts} NOT NULL,
    PRIMARY KEY (person_id, kind)
);
