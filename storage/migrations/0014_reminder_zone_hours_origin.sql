-- The time zone a recurring reminder's due time was computed in. When the person's zone (persons.timezone)
-- differs, the reminder tick recomputes the due time in the new zone (domain/reminder_times.py), whichever
-- path changed the zone. NULL: computed in the process's default zone (the person has none).
ALTER TABLE reminders ADD COLUMN zone TEXT;
-- What each tick compares: the pending recurring rows only (about one per person), not every reminder.
CREATE INDEX reminders_recurring ON reminders(done_at, person_id) WHERE recurrence IS NOT NULL;

-- Where an hours entry came from when one press must book it once: the project picker's button carries a
-- one-time key, so a double tap (or the button pressed again later) finds the entry there and adds nothing.
-- NULL for entries without one (NULLs never conflict).
ALTER TABLE hours_entries ADD COLUMN origin TEXT;
CREATE UNIQUE INDEX hours_entries_origin ON hours_entries(person_id, origin);
