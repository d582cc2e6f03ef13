"""Identifier normalisation and junk/blocklist rules applied before identity resolution."""
