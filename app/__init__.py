"""The application shell: the `panelist` CLI verbs, `panelist run` wiring, the demo and settings.

The top of the house: it may import every other package; nothing imports it."""
