"""The database: tables, the engine and its write transaction, batches, frames, accounts, audit."""
