-- The task engine: projects, their members, items, assignments (slots with leases) and submissions.

CREATE TABLE projects (
    id {pk},
    name TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    task_type TEXT NOT NULL,
    spec TEXT NOT NULL,
    deadline {ts},
    status TEXT NOT NULL DEFAULT 'open',
    created_by BIGINT,
    created_at {ts} NOT NULL
);

CREATE TABLE project_members (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    added_by BIGINT,
    joined_at {ts} NOT NULL,
    PRIMARY KEY (project_id, person_id)
);
CREATE INDEX project_members_person ON project_members(person_id);

CREATE TABLE tasks (
    id {pk},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    external_id TEXT NOT NULL,
    item TEXT NOT NULL,
    is_gold INTEGER NOT NULL DEFAULT 0,
    overlap INTEGER NOT NULL,
    filled INTEGER NOT NULL DEFAULT 0,
    answered INTEGER NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL,
    UNIQUE (project_id, external_id)
);
-- Open items in the order they are served: only rows with a free slot are in this index.
CREATE INDEX tasks_open ON tasks(project_id, is_gold, id) WHERE filled < overlap;

CREATE TABLE assignments (
    id {pk},
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    project_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    slot INTEGER NOT NULL,
    status TEXT NOT NULL,
    is_gold INTEGER NOT NULL DEFAULT 0,
    assigned_at {ts} NOT NULL,
    lease_expires_at {ts} NOT NULL,
    warned_at {ts},
    ended_at {ts},
    skip_reason TEXT,
    UNIQUE (task_id, person_id)
);
-- A slot is held by at most one live assignment: the constraint, not the code, forbids double assignment.
CREATE UNIQUE INDEX assignments_live_slot ON assignments(task_id, slot) WHERE status IN ('active', 'submitted');
CREATE INDEX assignments_person ON assignments(person_id, status);
CREATE INDEX assignments_lease ON assignments(status, lease_expires_at);

CREATE TABLE submissions (
    id {pk},
    assignment_id BIGINT NOT NULL UNIQUE REFERENCES assignments(id),
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    project_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    answer TEXT NOT NULL,
    seconds_spent INTEGER NOT NULL,
    late INTEGER NOT NULL DEFAULT 0,
    submitted_at {ts} NOT NULL,
    UNIQUE (task_id, person_id)
);
CREATE INDEX submissions_project ON submissions(project_id, submitted_at);

-- A file a manager sent before saying what it is for (e.g. a task file with no project named yet).
CREATE TABLE uploads (
    id {pk},
    person_id BIGINT NOT NULL REFERENCES persons(id),
    filename TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at {ts} NOT NULL
);
