// Package sqlite stores Cognate's data in one SQLite database file, through
// the pure-Go driver modernc.org/sqlite. The queries are sqlstore's; this
// package holds the connections, the migrations and SQLite's
// sqlstore.Dialect.
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
	"encoding/json"
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
	"github.com/cognate-idp/cognate/internal/store/sqlstore"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store over one SQLite database. It is safe for concurrent
// use.
type Store struct {
	*sqlstore.Store
	w, r *sql.DB // the writer connection and the read pool, which tests use directly
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
	w, err := openDB(pragma(url.Values{"_txlock": {"immediate"}},
		"journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", "temp_store(MEMORY)", "cache_size(-65536)"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r, err := openDB(pragma(url.Values{}, "query_only(1)", "cache_size(-16384)"))
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
	return &Store{Store: sqlstore.New(dialect{}, &conn{w: w, r: r}), w: w, r: r}, nil
}

// openDB opens the database named by dsn, whose connections keep the
// statements they run prepared (cachingConn).
func openDB(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{c}), nil
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

// conn is where statements go: the writer connection and the read pool,
// or the write transaction open in the Store passed to a Tx function.
type conn struct {
	w  *sql.DB // the single writer connection
	r  *sql.DB // read-only connections
	tx *sql.Tx // the open transaction
}

// Read implements sqlstore.Conn: the open transaction, or the read pool.
func (c *conn) Read() sqlstore.Executor {
	if c.tx != nil {
		return executor{c.tx}
	}
	return executor{c.r}
}

// Exec implements sqlstore.Conn: on the open transaction, or the writer
// connection. A failing statement undoes only itself, and leaves a
// transaction usable.
func (c *conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if c.tx != nil {
		return executor{c.tx}.Exec(ctx, query, args...)
	}
	return executor{c.w}.Exec(ctx, query, args...)
}

// ExecAll implements sqlstore.Conn.
func (c *conn) ExecAll(ctx context.Context, stmts []sqlstore.Stmt) ([]int64, error) {
	var n []int64
	err := c.write(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = executor{tx}.ExecAll(ctx, stmts)
		return err
	})
	return n, err
}

// InTx implements sqlstore.Conn.
func (c *conn) InTx() bool { return c.tx != nil }

// Close implements sqlstore.Conn.
func (c *conn) Close() error {
	return errors.Join(c.r.Close(), c.w.Close())
}

// Tx implements sqlstore.Conn.
func (c *conn) Tx(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return c.write(ctx, func(tx *sql.Tx) error {
		inner := c
		if c.tx == nil {
			inner = &conn{w: c.w, r: c.r, tx: tx}
		}
		return fn(inner)
	})
}

// Write implements sqlstore.Conn.
func (c *conn) Write(ctx context.Context, fn func(sqlstore.Executor) error) error {
	return c.write(ctx, func(tx *sql.Tx) error { return fn(executor{tx}) })
}

// write runs fn atomically: in a transaction of its own, or, inside Tx, in a
// savepoint of the open transaction, which fn's error rolls back.
func (c *conn) write(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if c.tx != nil {
		if _, err := c.tx.ExecContext(ctx, "SAVEPOINT nested"); err != nil {
			return err
		}
		released := false
		defer func() {
			if !released {
				_, rbErr := c.tx.ExecContext(ctx, "ROLLBACK TO nested")
				if rbErr == nil {
					_, rbErr = c.tx.ExecContext(ctx, "RELEASE nested")
				}
				err = errors.Join(err, rbErr)
			}
		}()
		if err := fn(c.tx); err != nil {
			return err
		}
		released = true
		_, err := c.tx.ExecContext(ctx, "RELEASE nested")
		return err
	}
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// dialect is SQLite's sqlstore.Dialect.
type dialect struct{}

// Name implements sqlstore.Dialect.
func (dialect) Name() string { return "sqlite" }

// Time implements sqlstore.Dialect: microseconds since the Unix epoch.
func (dialect) Time(t time.Time) any { return t.UnixMicro() }

// JSONTime implements sqlstore.Dialect: microseconds, as Time.
func (dialect) JSONTime(t time.Time) any { return t.UnixMicro() }

// Strings implements sqlstore.Dialect: a JSON array in a TEXT column.
func (dialect) Strings(ss []string) (any, error) {
	if ss == nil {
		return "[]", nil
	}
	b, err := json.Marshal(ss)
	return string(b), err
}

// StringsDest implements sqlstore.Dialect.
func (dialect) StringsDest(ss *[]string) any { return sqlstore.JSONDest(ss) }

// Lock implements sqlstore.Dialect: there is no row lock, and none is
// needed, since every write runs on the single writer connection.
func (dialect) Lock(string) string { return "" }

// Serialize implements sqlstore.Dialect: write transactions are serialized
// already.
func (dialect) Serialize(context.Context, sqlstore.Executor, int64) error { return nil }

// IsUnique implements sqlstore.Dialect.
func (dialect) IsUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// IsForeignKey implements sqlstore.Dialect.
func (dialect) IsForeignKey(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// RowID implements sqlstore.Dialect.
func (dialect) RowID() string { return "rowid" }
