"""Persistence of hoctap: tables, sessions, queries and migrations."""
