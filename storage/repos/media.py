"""What platforms already hold of our media: their file id per blob (storage/migrations/0025_platform_files.sql)."""
from __future__ import annotations

from datetime import datetime

from storage.db import Tx


class PlatformFiles:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def file_id(self, platform: str, workspace: str, sha256: str) -> str | None:
        return await self.tx.fetchval(
            "SELECT file_id FROM platform_files WHERE platform = $1 AND workspace = $2 AND sha256 = $3",
            platform, workspace, sha256)

    async def remember(self, platform: str, workspace: str, sha256: str, file_id: str, now: datetime) -> None:
        """Keep the id the platform gave; a newer upload of the same bytes replaces it (the old one may be gone)."""
        await self.tx.execute(
            "INSERT INTO platform_files (platform, workspace, sha256, file_id, created_at) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (platform, workspace, sha256) DO UPDATE SET file_id = excluded.file_id,"
            " created_at = excluded.created_at", platform, workspace, sha256, file_id, now)

    async def forget(self, platform: str, workspace: str, sha256: str) -> None:
        """The platform refused the id (expired, deleted): upload the bytes again next time."""
        await self.tx.execute("DELETE FROM platform_files WHERE platform = $1 AND workspace = $2 AND sha256 = $3",
                              platform, workspace, sha256)
