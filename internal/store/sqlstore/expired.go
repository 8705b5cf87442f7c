package sqlstore

import (
	"context"
	"time"
)

// expiredBatch is how many rows one statement of deleteExpired removes.
const expiredBatch = 1000

// deleteExpired removes the rows of table (each such table has an index on
// expires_at) that expired before now, and counts them. Outside a
// transaction it deletes in batches that commit one by one, so that a large
// clean-up neither holds SQLite's single writer nor keeps PostgreSQL row
// locks and WAL for long; an error may then follow some committed batches,
// which is harmless since every batch removes only expired rows. Inside a
// transaction it is one statement, which undoes itself if it fails.
func (s *Store) deleteExpired(ctx context.Context, table string, now time.Time) (int64, error) {
	if s.c.InTx() {
		return s.c.Exec(ctx, "DELETE FROM "+table+" WHERE expires_at < $1", s.d.Time(now))
	}
	batch := ExpiredBatchStatement(s.d, table)
	var total int64
	for {
		n, err := s.c.Exec(ctx, batch, s.d.Time(now), expiredBatch)
		if err != nil {
			return total, err
		}
		total += n
		if n < expiredBatch {
			return total, nil
		}
	}
}

// ExpiredBatchStatement is the statement with which deleteExpired deletes up
// to $2 rows of table that expired before $1, exported for the backends'
// tests of their query plans.
func ExpiredBatchStatement(d Dialect, table string) string {
	id := d.RowID()
	return "DELETE FROM " + table + " WHERE " + id + " IN (SELECT " + id + " FROM " + table + " WHERE expires_at < $1 LIMIT $2)"
}
