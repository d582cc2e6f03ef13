"""Tests for identifier normalisation and junk/blocklist rules."""
