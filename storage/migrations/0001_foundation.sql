-- Foundation tables. Tokens in braces are filled per dialect by storage.dialect (one file for both backends).

CREATE TABLE persons (
    id {pk},
    display_name TEXT NOT NULL DEFAULT '',
    locale TEXT,
    timezone TEXT,
    profile TEXT NOT NULL DEFAULT '{}',
    onboarded_at {ts},
    merged_into BIGINT,
    created_at {ts} NOT NULL
);

CREATE TABLE identities (
    id {pk},
    person_id BIGINT NOT NULL REFERENCES persons(id),
    platform TEXT NOT NULL,
    workspace TEXT NOT NULL DEFAULT '',
    user_id TEXT NOT NULL,
    chat_id TEXT,
    locale_hint TEXT,
    display_name TEXT,
    last_seen_at {ts} NOT NULL,
    UNIQUE (platform, workspace, user_id)
);
CREATE INDEX identities_person ON identities(person_id);

CREATE TABLE roles (
    person_id BIGINT NOT NULL REFERENCES persons(id),
    role TEXT NOT NULL,
    granted_by BIGINT,
    granted_at {ts} NOT NULL,
    PRIMARY KEY (person_id, role)
);

CREATE TABLE inbox (
    id {pk},
    platform TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    actor_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at {ts} NOT NULL,
    processed_at {ts},
    error TEXT,
    UNIQUE (platform, delivery_id)
);
CREATE INDEX inbox_unprocessed ON inbox(platform, processed_at);

CREATE TABLE outbox (
    id {pk},
    inbox_id BIGINT,
    person_id BIGINT,
    platform TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at {ts} NOT NULL,
    not_before {ts} NOT NULL,
    claimed_until {ts},
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at {ts},
    failed_at {ts},
    error TEXT
);
CREATE INDEX outbox_pending ON outbox(platform, sent_at, failed_at, not_before);

CREATE TABLE sent_messages (
    ref TEXT NOT NULL,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sent_at {ts} NOT NULL,
    PRIMARY KEY (ref, platform, chat_id)
);

CREATE TABLE form_sessions (
    id {pk},
    person_id BIGINT NOT NULL REFERENCES persons(id),
    form_id TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    vals TEXT NOT NULL DEFAULT '{}',
    step INTEGER NOT NULL DEFAULT 0,
    stage TEXT NOT NULL DEFAULT 'ask',
    version INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'open',
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX form_sessions_open ON form_sessions(person_id, status);

CREATE TABLE action_tokens (
    token TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    owner_person_id BIGINT,
    expires_at {ts} NOT NULL,
    created_at {ts} NOT NULL
);

CREATE TABLE link_codes (
    code TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    expires_at {ts} NOT NULL,
    used_at {ts},
    used_by_identity BIGINT
);

CREATE TABLE audit_log (
    id {pk},
    at {ts} NOT NULL,
    person_id BIGINT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_person ON audit_log(person_id, at);

CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at {ts} NOT NULL
);
