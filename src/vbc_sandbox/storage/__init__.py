"""Storage: the store (every SQL statement, the schema and its migrations) and its engines
(SQLite, PostgreSQL). Imports nothing of the layers above."""
