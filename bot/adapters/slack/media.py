"""Images Slack holds for us: one private upload per image and workspace, then shown anywhere by its file id.

An image block may name a file the app uploaded (`slack_file: {"id": "F…"}`), so private media never need a
public URL. Uploaded without a channel (files.completeUploadExternal without `channel_id`) the file stays private
to the app and is shown only through our image blocks. Its id is remembered per (workspace, sha256) in
`platform_files`, each read or write in a short transaction of its own, never across a call to Slack; the same
image later, to anyone in the workspace, costs no upload.

Slack has no method to share an already uploaded file into another conversation: completeUploadExternal
finishes only a new upload, `files.sharedPublicURL` makes a public link (what we must not do), and
`files.remote.share` is for remote files only. So audio, video and documents are uploaded again for each
message that carries them; reuse is for images, through image blocks.

Slack finishes an upload asynchronously (its MIME type is empty at first): before an image's id is used, files.info
must report an image type, polled a few times; a file Slack does not see as an image is not shown as one (the
message then carries it as an upload).
"""
from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError

from bot.adapters.slack.render import media_filename
from bot.blobs import BlobRef
from bot.core.pacing import Lane

log = logging.getLogger("panelist.slack")

PLATFORM = "slack"
READY_WAITS = (0.0, 0.25, 0.5, 1.0, 2.0)  # seconds before each files.info while Slack processes an upload


class SlackMedia:
    def __init__(self, runtime, client, pacer) -> None:
        self.runtime = runtime
        self.client = client
        self.pacer = pacer

    async def known(self, workspace: str, images: list[BlobRef]) -> dict[str, str]:
        """The Slack file ids already remembered for `images` (sha256 → id); no call to Slack."""
        if not images:
            return {}
        out: dict[str, str] = {}
        async with self.runtime.db.transaction() as tx:
            files = self.runtime.unit_of_work(tx).platform_files
            for blob in images:
                fid = await files.file_id(PLATFORM, workspace, blob.sha256)
                if fid:
                    out[blob.sha256] = fid
        return out

    async def ensure(self, workspace: str, images: list[BlobRef], lane: Lane = Lane.BULK) -> dict[str, str]:
        """File ids for `images`, uploading (privately) those Slack does not hold yet. An image Slack refuses to
        take, or does not recognise as an image, is left out: the renderer sends it as a file instead."""
        ids = await self.known(workspace, images)
        for blob in images:
            if blob.sha256 in ids:
                continue
            fid = await self._upload(blob, lane)
            if fid is None:
                continue
            async with self.runtime.db.transaction() as tx:
                await self.runtime.unit_of_work(tx).platform_files.remember(
                    PLATFORM, workspace, blob.sha256, fid, self.runtime.clock())
            ids[blob.sha256] = fid
        return ids

    async def forget(self, workspace: str, ids: dict[str, str]) -> None:
        """Slack no longer knows these ids (deleted files): the next `ensure` uploads the images again."""
        async with self.runtime.db.transaction() as tx:
            files = self.runtime.unit_of_work(tx).platform_files
            for sha in ids:
                await files.forget(PLATFORM, workspace, sha)

    async def _upload(self, blob: BlobRef, lane: Lane) -> str | None:
        name = media_filename(blob, "image")
        data = await self.runtime.blobs.read(blob)  # read now, for this upload only
        resp = await self.pacer.call("files.upload", lambda: self.client.files_upload_v2(
            content=data, filename=name, title=name, alt_txt=name[:1000]), lane=lane)
        files = resp.get("files") or []
        if not files or not files[0].get("id"):
            return None
        fid = str(files[0]["id"])
        if await self._is_image(fid, str(files[0].get("mimetype") or "")):
            return fid
        log.warning("slack: an uploaded image (%s) is not an image to Slack; sent as a file", blob.mime)
        return None

    async def _is_image(self, fid: str, mimetype: str) -> bool:
        for wait in READY_WAITS:
            if mimetype:
                return mimetype.startswith("image/")
            if wait:
                await asyncio.sleep(wait)
            try:
                info = await self.client.files_info(file=fid)
            except SlackApiError as exc:
                log.info("slack: files.info %s while it is processed: %s", fid, exc.response.get("error"))
                continue
            mimetype = str((info.get("file") or {}).get("mimetype") or "")
        return mimetype.startswith("image/")
