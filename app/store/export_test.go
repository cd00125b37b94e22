package store

// WithMigrationLimit applies at most n migrations, so tests can build the
// database an older release left behind.
func WithMigrationLimit(n int) Option { return func(db *DB) { db.maxMigration = n } }

// ExecWrite runs a statement on the writer connection, for per-connection
// pragmas such as max_page_count.
func ExecWrite(db *DB, query string, args ...any) error {
	_, err := db.w.Exec(query, args...)
	return err
}

// ListQuery exposes the list query for query-plan tests.
func ListQuery(f InspectionFilter) (string, []any) { return listQuery(f) }
