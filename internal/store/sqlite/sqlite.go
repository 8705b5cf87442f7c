// Package sqlite stores Cognate's data in one SQLite database file, through
// the pure-Go driver modernc.org/sqlite.
//
// The database runs in WAL mode. Every write goes through a single connection
// whose transactions begin IMMEDIATE, so writers queue in Go instead of
// failing with SQLITE_BUSY, while reads run concurrently on a pool of
// read-only connections. The schema is created and upgraded at Open from the
// numbered files in migrations/.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/cognate-idp/cognate/internal/store"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store over one SQLite database. It is safe for concurrent
// use.
type Store struct {
	w     *sql.DB   // the single writer connection
	r     *sql.DB   // read-only connections
	reads *preparer // r, with prepared statements
	tx    *preparer // the open transaction, in the Store passed to a Tx function
}

// busyTimeout is how long a connection waits for a lock held by another
// process (or by a checkpoint) before it fails.
const busyTimeout = 10 * time.Second

// Open opens the database file at path, creating it if needed, and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	name := "file:" + (&url.URL{Path: path}).EscapedPath()
	pragma := func(q url.Values, p ...string) string {
		q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
		for _, v := range p {
			q.Add("_pragma", v)
		}
		return name + "?" + q.Encode()
	}
	// Savepoints keep sub-journals in temporary storage: in memory, they cost
	// no file writes. The larger page cache keeps big transactions (bulk
	// loads) from spilling to the WAL before they commit.
	w, err := sql.Open("sqlite", pragma(url.Values{"_txlock": {"immediate"}},
		"journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", "temp_store(MEMORY)", "cache_size(-65536)"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", pragma(url.Values{}, "query_only(1)", "cache_size(-16384)"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &Store{w: w, r: r, reads: readPool(r)}, nil
}

// createPrivate creates the database file at path with mode 0600 if it does
// not exist. An empty file is an empty database to SQLite, which gives the
// -wal and -shm files it creates beside it the database file's mode: none of
// them is readable by other users, whatever the umask.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// Close closes the database. It must not be called inside Tx.
func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("sqlite: Close called inside a transaction")
	}
	s.reads.close()
	return errors.Join(s.r.Close(), s.w.Close())
}

// Tx implements store.Store.
func (s *Store) Tx(ctx context.Context, fn func(tx store.Store) error) error {
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		inner := s
		if s.tx == nil {
			inner = &Store{w: s.w, r: s.r, reads: s.reads, tx: tx}
		}
		fnErr = fn(inner)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("sqlite: transaction: %w", err)
	}
	return nil
}

// reader returns where reads go: the open transaction, or the read pool.
func (s *Store) reader() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.reads
}

// writer returns where single-statement writes go: the open transaction, or
// the writer connection. A failing statement undoes only itself, and leaves
// a transaction usable.
func (s *Store) writer() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.w
}

// write runs fn atomically: in a transaction of its own, or, inside Tx, in a
// savepoint of the open transaction, which fn's error rolls back.
func (s *Store) write(ctx context.Context, fn func(tx *preparer) error) (err error) {
	if s.tx != nil {
		if _, err := s.tx.ExecContext(ctx, "SAVEPOINT nested"); err != nil {
			return err
		}
		released := false
		defer func() {
			if !released {
				_, rbErr := s.tx.ExecContext(ctx, "ROLLBACK TO nested")
				if rbErr == nil {
					_, rbErr = s.tx.ExecContext(ctx, "RELEASE nested")
				}
				err = errors.Join(err, rbErr)
			}
		}()
		if err := fn(s.tx); err != nil {
			return err
		}
		released = true
		_, err := s.tx.ExecContext(ctx, "RELEASE nested")
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	if err := fn(txConn(tx)); err != nil {
		return err
	}
	return tx.Commit()
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// affected returns ErrNotFound when res changed no row.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// notFound maps sql.ErrNoRows onto store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// micros is how times are stored: microseconds since the Unix epoch.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is the inverse of micros.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// nullMicros stores the zero time as NULL.
func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}
}

// fromNullMicros is the inverse of nullMicros.
func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}

// poolPK is a scalar subquery for the surrogate key of the pool whose ID is
// the next argument.
const poolPK = "(SELECT pk FROM pools WHERE id = ?)"

// userID is a scalar subquery for the row id of the user whose pool ID and
// sub are the next two arguments.
const userID = "(SELECT id FROM users WHERE pool = " + poolPK + " AND sub = ?)"

// expiredBatch is how many rows one statement of deleteExpired removes.
const expiredBatch = 1000

// deleteExpiredSQL deletes up to the second argument's number of rows of
// table (all for -1) that expired before the first.
func deleteExpiredSQL(table string) string {
	return "DELETE FROM " + table + " WHERE rowid IN (SELECT rowid FROM " + table + " WHERE expires_at < ? LIMIT ?)"
}

// deleteExpired removes the rows of table (sessions or refresh_tokens, both
// with an index on expires_at) that expired before now, and counts them.
// Outside Tx it deletes in batches that commit one by one, so that writers
// queued on the single writer connection are not held up by a large
// clean-up; an error may then follow some committed batches, which is
// harmless since every batch removes only expired rows. Inside Tx it is one
// statement, which undoes itself if it fails.
func (s *Store) deleteExpired(ctx context.Context, table string, now time.Time) (int64, error) {
	limit := expiredBatch
	if s.tx != nil {
		limit = -1 // no limit
	}
	var total int64
	for {
		res, err := s.writer().ExecContext(ctx, deleteExpiredSQL(table), micros(now), limit)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		if limit < 0 || n < int64(limit) {
			return total, nil
		}
	}
}

// checkLimit rejects a page size below 1.
func checkLimit(page store.Page) error {
	if page.Limit < 1 {
		return fmt.Errorf("page limit %d is below 1", page.Limit)
	}
	return nil
}
