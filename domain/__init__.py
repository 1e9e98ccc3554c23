"""The business rules: specs, task types, scoring, agreement, money, dates. No storage, no chat: usable by
handlers and storage alike."""
