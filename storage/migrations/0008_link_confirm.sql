-- /link joins identities only with the code owner's confirmation, on the identity that asked for the code.
-- A redeemed code is a pending request until the owner decides (once: decided_at is set by a conditional update)
-- or the code expires. Failed codes are counted per person in one row per person (the primary key makes each
-- failure one increment, whatever process records it).

ALTER TABLE link_codes ADD COLUMN owner_identity BIGINT;
ALTER TABLE link_codes ADD COLUMN decided_at {ts};
ALTER TABLE link_codes ADD COLUMN decision TEXT;

CREATE TABLE link_failures (
    person_id BIGINT PRIMARY KEY REFERENCES persons(id),
    window_start {ts} NOT NULL,
    failures INTEGER NOT NULL
);
