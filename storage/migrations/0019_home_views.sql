-- Homes kept up to date (issue 17, point 5): one row per person who has opened a home tab (Slack's App Home),
-- naming the identity it was opened from. `stale` is set in the same transaction as a change to the numbers the
-- home shows (a submission, a review decision, hours, a ledger line, a dispute, an invitation); the home.refresh
-- tick republishes a stale home at most once per interval after `published_at`, so a burst of changes costs one
-- views.publish. People who never opened a home have no row and cost nothing.
CREATE TABLE home_views (
    person_id BIGINT PRIMARY KEY REFERENCES persons(id),
    identity_id BIGINT NOT NULL REFERENCES identities(id),
    stale INTEGER NOT NULL DEFAULT 0,
    published_at {ts} NOT NULL
);
CREATE INDEX home_views_stale ON home_views(stale, published_at);
