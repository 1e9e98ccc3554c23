-- The time zone a recurring reminder's due time was computed in. When the person's zone (persons.timezone)
-- differs, the reminder tick recomputes the due time in the new zone (domain/reminder_times.py), whichever
-- path changed the zone. NULL: computed in the process's default zone (the person has none).
ALTER TABLE reminders ADD COLUMN zone TEXT;
