-- Screening assessments, their attempts and answers; qualifications; invitations to projects.

CREATE TABLE assessments (
    id {pk},
    slug TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    title TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_by BIGINT,
    created_at {ts} NOT NULL
);

-- One row per try. `shuffles` keeps each multiple-choice item's option order for this attempt (shown position →
-- option in the file), so buttons carry positions only and the answer key never leaves the server.
CREATE TABLE assessment_attempts (
    id {pk},
    assessment_id BIGINT NOT NULL REFERENCES assessments(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    number INTEGER NOT NULL,
    status TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    shuffles TEXT NOT NULL,
    started_at {ts} NOT NULL,
    deadline_at {ts} NOT NULL,
    submitted_at {ts},
    finished_at {ts},
    score DOUBLE PRECISION,
    breakdown TEXT,
    timed_out INTEGER NOT NULL DEFAULT 0,
    UNIQUE (assessment_id, person_id, number)
);
-- At most one attempt in progress per person and assessment: the constraint decides a double "Start".
CREATE UNIQUE INDEX assessment_attempts_live ON assessment_attempts(assessment_id, person_id) WHERE status = 'active';
CREATE INDEX assessment_attempts_person ON assessment_attempts(person_id, status);
CREATE INDEX assessment_attempts_deadline ON assessment_attempts(status, deadline_at);

-- One answer per item per attempt. Late answers are kept (late = 1) but never counted.
CREATE TABLE assessment_answers (
    id {pk},
    attempt_id BIGINT NOT NULL REFERENCES assessment_attempts(id),
    item_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    answered_at {ts} NOT NULL,
    late INTEGER NOT NULL DEFAULT 0,
    points DOUBLE PRECISION,
    max_points DOUBLE PRECISION NOT NULL,
    needs_grading INTEGER NOT NULL DEFAULT 0,
    graded_by BIGINT,
    graded_at {ts},
    grade_comment TEXT,
    UNIQUE (attempt_id, item_id)
);
CREATE INDEX assessment_answers_grading ON assessment_answers(needs_grading, graded_at, id);

CREATE TABLE qualifications (
    id {pk},
    person_id BIGINT NOT NULL REFERENCES persons(id),
    name TEXT NOT NULL,
    level INTEGER NOT NULL,
    granted_at {ts} NOT NULL,
    expires_at {ts},
    source TEXT NOT NULL,
    attempt_id BIGINT,
    granted_by BIGINT,
    reason TEXT,
    revoked_at {ts},
    revoked_by BIGINT,
    revoke_reason TEXT,
    expiry_notified_at {ts}
);
CREATE INDEX qualifications_person ON qualifications(person_id, name);
CREATE INDEX qualifications_expiry ON qualifications(expires_at);
-- A passed attempt grants once, however often its result is computed.
CREATE UNIQUE INDEX qualifications_attempt ON qualifications(attempt_id) WHERE attempt_id IS NOT NULL;

CREATE TABLE project_invites (
    id {pk},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    invited_by BIGINT,
    invited_at {ts} NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    answered_at {ts},
    UNIQUE (project_id, person_id)
);
CREATE INDEX project_invites_project ON project_invites(project_id, status);
