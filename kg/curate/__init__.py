"""Maintainers' changes to data/: add, edit, link, rename, merge, remove, verify, format; atomic writes; lint."""
