-- /forget (issue 21): an erasure a person asked for, carried out once its grace period is over unless they cancel.
-- The row outlives the erasure (who, when; no content), as the record that it happened.
CREATE TABLE erasure_requests (
    person_id BIGINT PRIMARY KEY,
    requested_at {ts} NOT NULL,
    due_at {ts} NOT NULL,
    requested_by BIGINT,
    cancelled_at {ts},
    done_at {ts}
);
CREATE INDEX erasure_due ON erasure_requests(due_at);
