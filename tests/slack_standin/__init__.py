"""A strict loopback stand-in of the Slack Web API plus Slack-signed request builders, for tests."""
from .server import (
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    MAX_VIEW_BLOCKS,
    Call,
    Refusal,
    SlackApiStandIn,
    StoredFile,
    User,
    validate_blocks,
    validate_message,
    validate_view,
)
from .signing import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    block_actions_payload,
    event_body,
    interaction_body,
    signature,
    signed_headers,
    slash_command_body,
    url_verification_body,
    view_action_payload,
    view_closed_payload,
    view_submission_payload,
)

__all__ = [
    "APP_ID", "BOT_ID", "BOT_USER_ID", "TEAM_ID", "MAX_MESSAGE_BLOCKS", "MAX_MESSAGE_TEXT", "MAX_VIEW_BLOCKS",
    "Call", "Refusal", "SlackApiStandIn", "StoredFile", "User",
    "validate_blocks", "validate_message", "validate_view",
    "block_actions_payload", "event_body", "interaction_body", "signature", "signed_headers",
    "slash_command_body", "url_verification_body", "view_action_payload", "view_closed_payload",
    "view_submission_payload",
]
