-- Naming people as managers see them (issue 18, point 1): each identity keeps the handle its platform shows
-- (Telegram @username, Slack display name; the console's user name), refreshed with the display name on every
-- inbound event from that person, so /bonus @ana or "Ana Pérez" finds them.
ALTER TABLE identities ADD COLUMN username TEXT;
