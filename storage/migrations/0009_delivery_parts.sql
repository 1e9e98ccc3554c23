-- A reply sent in several calls (text then a chart, a long text in pieces) resumes where it stopped: the parts
-- already delivered are counted on the row, with the message id that identifies the delivery so far, so a retry
-- starts at the first part not yet delivered.

ALTER TABLE outbox ADD COLUMN parts_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN message_id TEXT;
CREATE INDEX outbox_failed ON outbox(failed_at);
