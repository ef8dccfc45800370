"""Storage: the schema, the database connection and the repositories."""
