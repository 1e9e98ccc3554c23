"""Helpers that several capability modules use. Below every capability module: the modules in `handlers/`
never import each other, only this package (checked by the import contracts)."""
