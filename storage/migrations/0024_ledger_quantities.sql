-- What a ledger line counts, so a payout statement can show hours × rate or tasks × rate = amount (issue 18,
-- point 8): `quantity` is minutes for an `hours` line and tasks for a `task` (1) or `task_reversal` (-1) line;
-- `unit_minor` is the rate it was paid at (per hour, per task) in the line's currency. NULL for lines that count
-- nothing (bonus, adjustment, dispute). Lines written before this migration get what can be known exactly.
ALTER TABLE ledger_lines ADD COLUMN quantity INTEGER;
ALTER TABLE ledger_lines ADD COLUMN unit_minor BIGINT;
UPDATE ledger_lines SET quantity = 1, unit_minor = amount_minor WHERE kind = 'task';
UPDATE ledger_lines SET quantity = -1, unit_minor = -amount_minor WHERE kind = 'task_reversal';
UPDATE ledger_lines SET quantity = (SELECT h.minutes FROM hours_entries h WHERE ledger_lines.source = 'hours:' || h.id)
    WHERE kind = 'hours';
