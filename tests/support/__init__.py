"""Helpers shared by the tests: databases, chat drivers and fake Bot API servers."""
