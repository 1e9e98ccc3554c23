-- Retention (issue 21) finds old rows by age: without these, every purge batch would scan whole tables.
CREATE INDEX inbox_received ON inbox(received_at);
CREATE INDEX outbox_created ON outbox(created_at);
CREATE INDEX audit_at ON audit_log(at);
