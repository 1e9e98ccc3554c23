-- Projects change while people work on them (issue 18, point 10). projects.status (0002) now takes 'open',
-- 'paused' and 'closed'. Each edit of a project's instructions or rubric is a numbered version holding the whole
-- spec as it then was and what changed; version 1 (the spec the project was created with) is written on the first
-- edit, so a project never edited has no rows and is at version 1.
CREATE TABLE instruction_versions (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    version INTEGER NOT NULL,
    spec TEXT NOT NULL,
    changes TEXT NOT NULL,
    created_by BIGINT,
    created_at {ts} NOT NULL,
    PRIMARY KEY (project_id, version)
);

-- A version each member had to read: written for every member when the version is published, acknowledged by
-- their button press. An unacknowledged row holds back their next task from that project. People who join later
-- read the instructions as they join, so they owe nothing.
CREATE TABLE instruction_acks (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    version INTEGER NOT NULL,
    acknowledged_at {ts},
    PRIMARY KEY (project_id, person_id, version)
);
CREATE INDEX instruction_acks_pending ON instruction_acks(person_id, project_id, acknowledged_at);

-- The instructions version each answer was given under; answers from before versions existed were all under 1.
ALTER TABLE submissions ADD COLUMN instructions_version INTEGER NOT NULL DEFAULT 1;
