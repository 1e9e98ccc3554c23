-- A platform's own id for a blob it already holds (Telegram's file_id, Slack's file id), so the same bytes are
-- uploaded once per platform and workspace, then sent by id (issue 20). Losing a row costs one upload, nothing more.
CREATE TABLE platform_files (
    platform TEXT NOT NULL,
    workspace TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    file_id TEXT NOT NULL,
    created_at {ts} NOT NULL,
    PRIMARY KEY (platform, workspace, sha256)
);
