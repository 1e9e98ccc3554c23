-- The forms engine's own notes on a session, apart from the answers (`vals`), so none of it can reach a form's
-- result or a handler reading the answers: text typed at a button step and kept for a later text question,
-- and the last typed answer (field, time, length) so the second half of a long paste split by the platform
-- can be joined to it.
ALTER TABLE form_sessions ADD COLUMN pending TEXT NOT NULL DEFAULT '{}';
