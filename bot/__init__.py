"""Runtime of hoctap: channels, wiring, delivery and the command line."""
