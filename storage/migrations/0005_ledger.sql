-- Hours, earnings and payouts (issue 9). Money is integer minor units plus an ISO currency, never a float.
-- Days are ISO text (YYYY-MM-DD): the same ordering and comparison on both backends, no time zone attached.

-- One row per logged stretch of work. state: logged | approved | rejected. Paid is read from the ledger.
CREATE TABLE hours_entries (
    id {pk},
    person_id BIGINT NOT NULL REFERENCES persons(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    work_date TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'log',
    state TEXT NOT NULL DEFAULT 'logged',
    reason TEXT,
    decided_by BIGINT,
    decided_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX hours_entries_person ON hours_entries(person_id, work_date);
CREATE INDEX hours_entries_state ON hours_entries(state, person_id);

-- At most one live timer per person (the primary key). running_since is NULL while paused.
CREATE TABLE timers (
    person_id BIGINT PRIMARY KEY REFERENCES persons(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    started_at {ts} NOT NULL,
    running_since {ts},
    seconds_banked INTEGER NOT NULL DEFAULT 0,
    nudged_at {ts},
    flagged_at {ts}
);

-- A person's own hourly rate on a project (a tier or qualification level), overriding the spec's rate.
CREATE TABLE pay_rates (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    tier TEXT NOT NULL DEFAULT '',
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency TEXT NOT NULL,
    set_by BIGINT,
    set_at {ts} NOT NULL,
    PRIMARY KEY (project_id, person_id)
);

-- Payout statements: one per person and currency per close. Totals are summed from their lines.
CREATE TABLE statements (
    id {pk},
    person_id BIGINT NOT NULL REFERENCES persons(id),
    currency TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    closed_by BIGINT,
    closed_at {ts} NOT NULL,
    paid_ref TEXT,
    paid_by BIGINT,
    paid_at {ts}
);
CREATE INDEX statements_person ON statements(person_id, closed_at);

-- Every money effect. `source` names the event that caused it (submission:12, hours:7, bonus:telegram:991,
-- dispute:3 …): UNIQUE, so a replayed approval or a redelivered update adds nothing.
CREATE TABLE ledger_lines (
    id {pk},
    person_id BIGINT NOT NULL REFERENCES persons(id),
    project_id BIGINT REFERENCES projects(id),
    kind TEXT NOT NULL,
    source TEXT NOT NULL UNIQUE,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    earned_on TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at {ts} NOT NULL
);
CREATE INDEX ledger_person ON ledger_lines(person_id, earned_on);

-- Which line is on which statement. UNIQUE (line_id): a line can never be on two statements.
CREATE TABLE statement_lines (
    statement_id BIGINT NOT NULL REFERENCES statements(id),
    line_id BIGINT NOT NULL UNIQUE REFERENCES ledger_lines(id),
    PRIMARY KEY (statement_id, line_id)
);

-- An expert's dispute of one ledger line. state: open | upheld | dismissed. One dispute per line.
CREATE TABLE disputes (
    id {pk},
    line_id BIGINT NOT NULL UNIQUE REFERENCES ledger_lines(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    comment TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',
    resolution TEXT,
    resolved_by BIGINT,
    resolved_at {ts},
    created_at {ts} NOT NULL
);
