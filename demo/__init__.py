"""Demo data for the embedded default and the tests: users, tickets and a long conversation
already compacted. Imported by the app (seeded on start) and by ``python -m ops seed``."""
