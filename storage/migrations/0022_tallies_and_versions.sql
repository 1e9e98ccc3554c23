-- Live tallies and reworks (issue 18, points 2 and 3).
-- Each /match invitation remembers the logical name of the manager's message that lists its batch, so an Accept
-- or Decline edits that one message in place (sent_messages maps the name to the platform's message id).
ALTER TABLE project_invites ADD COLUMN tally_ref TEXT;
CREATE INDEX project_invites_tally ON project_invites(tally_ref);

-- A reworked answer replaces the submission's row (revision + 1); the version it replaces is kept here, so the
-- reviewer of version 2 sees version 1 beside it with the comment that sent it back (reviews, same revision).
CREATE TABLE submission_versions (
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    revision INTEGER NOT NULL,
    answer TEXT NOT NULL,
    form_values TEXT NOT NULL,
    submitted_at {ts} NOT NULL,
    PRIMARY KEY (submission_id, revision)
);
