-- Quality: gold results and review state on submissions, the review log, and pauses by quality score.

ALTER TABLE submissions ADD COLUMN form_values TEXT NOT NULL DEFAULT '{}';
ALTER TABLE submissions ADD COLUMN gold_passed INTEGER;
ALTER TABLE submissions ADD COLUMN gold_score DOUBLE PRECISION;
ALTER TABLE submissions ADD COLUMN review_state TEXT NOT NULL DEFAULT 'none';
ALTER TABLE submissions ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
CREATE INDEX submissions_review ON submissions(project_id, review_state, id);
CREATE INDEX submissions_person ON submissions(person_id, project_id);

-- Every review decision, in order. (submission_id, revision) is reviewed once: a double press decides once.
CREATE TABLE reviews (
    id {pk},
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    revision INTEGER NOT NULL,
    reviewer_id BIGINT NOT NULL REFERENCES persons(id),
    decision TEXT NOT NULL,
    reason_code TEXT,
    comment TEXT,
    decided_at {ts} NOT NULL,
    UNIQUE (submission_id, revision)
);
CREATE INDEX reviews_reviewer ON reviews(reviewer_id, decided_at);

CREATE TABLE project_pauses (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    reason TEXT NOT NULL,
    score DOUBLE PRECISION,
    paused_at {ts} NOT NULL,
    lifted_at {ts},
    lifted_by BIGINT,
    PRIMARY KEY (project_id, person_id)
);
