// Package postgres stores Cognate's data in PostgreSQL, through pgx. The
// queries are sqlstore's; this package holds the connections, the
// migrations and PostgreSQL's sqlstore.Dialect.
//
// Read-modify-write operations lock the row (SELECT ... FOR UPDATE) in one
// transaction. Inside Tx, every operation runs under a savepoint, so that a
// failed one leaves the transaction usable; single-statement operations send
// the savepoint, the statement and its release in one round trip. Reads
// outside a transaction that wait at the same time share a round trip
// (coalesce.go). The schema
// is created and upgraded at Open from the numbered files in migrations/,
// under an advisory lock so that replicas starting together do not race.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlstore"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store over a PostgreSQL database. It is safe for
// concurrent use; the Store passed to a Tx function is not.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool // the connections, which tests use directly
}

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string, as pgx accepts) and brings its schema up to date.
func Open(ctx context.Context, url string) (*Store, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	c := &conn{pool: pool, reads: newReads(pool, int(pool.Config().MaxConns))}
	return &Store{Store: sqlstore.New(dialect{}, c), pool: pool}, nil
}

// conn is where statements go: the pool, or the transaction open in the
// Store passed to a Tx function.
type conn struct {
	pool  *pgxpool.Pool
	tx    pgx.Tx
	reads *reads // reads outside a transaction
}

// querier is what *pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// executor is a querier as a sqlstore.Executor.
type executor struct{ q querier }

func (e executor) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := e.q.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (e executor) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	return e.q.Query(ctx, sql, args...)
}

func (e executor) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return e.q.QueryRow(ctx, sql, args...)
}

// ExecAll sends the statements in one batch. Outside a transaction the
// server runs the batch in an implicit one: all of it takes effect or none.
func (e executor) ExecAll(ctx context.Context, stmts []sqlstore.Stmt) ([]int64, error) {
	var b pgx.Batch
	for _, st := range stmts {
		b.Queue(st.SQL, st.Args...)
	}
	br := e.q.SendBatch(ctx, &b)
	n, err := readAll(br, len(stmts))
	return n, errors.Join(err, br.Close())
}

// readAll reads the results of n statements that return no rows from br,
// up to the first that failed.
func readAll(br pgx.BatchResults, n int) ([]int64, error) {
	counts := make([]int64, n)
	for i := range n {
		tag, err := br.Exec()
		if err != nil {
			return counts, &sqlstore.StmtError{Index: i, Err: err}
		}
		counts[i] = tag.RowsAffected()
	}
	return counts, nil
}

// q returns where statements go: the open transaction, or the pool.
func (c *conn) q() querier {
	if c.tx != nil {
		return c.tx
	}
	return c.pool
}

// Read implements sqlstore.Conn.
func (c *conn) Read() sqlstore.Executor {
	if c.tx == nil {
		return coalescedReads{executor{c.pool}, c.reads}
	}
	return executor{c.q()}
}

// Exec implements sqlstore.Conn. Inside a transaction, the statement is
// sent between a savepoint and its release, in one round trip.
func (c *conn) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	if c.tx == nil {
		return executor{c.pool}.Exec(ctx, sql, args...)
	}
	var n int64
	err := c.batch(ctx, func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		n = tag.RowsAffected()
		return err
	}, sqlstore.Stmt{SQL: sql, Args: args})
	return n, err
}

// ExecAll implements sqlstore.Conn. Outside a transaction the batch is
// atomic on its own; inside one, it is sent between a savepoint and its
// release, in one round trip.
func (c *conn) ExecAll(ctx context.Context, stmts []sqlstore.Stmt) ([]int64, error) {
	if c.tx == nil {
		return executor{c.pool}.ExecAll(ctx, stmts)
	}
	var n []int64
	err := c.batch(ctx, func(br pgx.BatchResults) error {
		var err error
		n, err = readAll(br, len(stmts))
		return err
	}, stmts...)
	return n, err
}

// InTx implements sqlstore.Conn.
func (c *conn) InTx() bool { return c.tx != nil }

// Close implements sqlstore.Conn.
func (c *conn) Close() error {
	c.reads.close()
	c.pool.Close()
	return nil
}

// Tx implements sqlstore.Conn.
func (c *conn) Tx(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return c.write(ctx, func(tx pgx.Tx) error {
		inner := c
		if c.tx == nil {
			inner = &conn{pool: c.pool, tx: tx}
		}
		return fn(inner)
	})
}

// Write implements sqlstore.Conn.
func (c *conn) Write(ctx context.Context, fn func(sqlstore.Executor) error) error {
	return c.write(ctx, func(tx pgx.Tx) error { return fn(executor{tx}) })
}

// write runs fn atomically: in a transaction of its own, or, inside Tx, in a
// savepoint of the open transaction, which fn's error rolls back.
func (c *conn) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var tx pgx.Tx
	var err error
	if c.tx != nil {
		tx, err = c.tx.Begin(ctx) // SAVEPOINT
	} else {
		tx, err = c.pool.Begin(ctx)
	}
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) // after Commit, a no-op
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// batch runs statements of the open transaction between a savepoint and
// its release, in one round trip; read takes their results from br. A
// failure rolls back to the savepoint so that the transaction stays usable.
func (c *conn) batch(ctx context.Context, read func(br pgx.BatchResults) error, stmts ...sqlstore.Stmt) error {
	var b pgx.Batch
	b.Queue("SAVEPOINT one")
	for _, st := range stmts {
		b.Queue(st.SQL, st.Args...)
	}
	b.Queue("RELEASE SAVEPOINT one")
	br := c.tx.SendBatch(ctx, &b)
	_, spErr := br.Exec()
	err := read(br)
	_, relErr := br.Exec()
	if closeErr := br.Close(); spErr == nil && relErr == nil && closeErr == nil {
		return err // the savepoint is released
	}
	// A statement failed, and the server skipped the rest and the release.
	if _, rbErr := c.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT one; RELEASE SAVEPOINT one"); rbErr != nil {
		return errors.Join(err, spErr, rbErr)
	}
	return errors.Join(err, spErr)
}

// dialect is PostgreSQL's sqlstore.Dialect.
type dialect struct{}

// Name implements sqlstore.Dialect.
func (dialect) Name() string { return "postgres" }

// Time implements sqlstore.Dialect: a timestamptz, UTC, whole microseconds.
func (dialect) Time(t time.Time) any { return t.UTC().Truncate(time.Microsecond) }

// JSONTime implements sqlstore.Dialect: an RFC 3339 time.
func (d dialect) JSONTime(t time.Time) any { return d.Time(t) }

// Strings implements sqlstore.Dialect: a text[].
func (dialect) Strings(ss []string) (any, error) {
	if ss == nil {
		return []string{}, nil
	}
	return ss, nil
}

// StringsDest implements sqlstore.Dialect.
func (dialect) StringsDest(ss *[]string) any { return ss }

// Lock implements sqlstore.Dialect.
func (dialect) Lock(clause string) string { return " " + clause }

// Serialize implements sqlstore.Dialect: a transaction-scoped advisory
// lock.
func (dialect) Serialize(ctx context.Context, ex sqlstore.Executor, key int64) error {
	_, err := ex.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", key)
	return err
}

// SQLSTATE codes the dialect recognizes.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// IsUnique implements sqlstore.Dialect.
func (dialect) IsUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == uniqueViolation
}

// IsForeignKey implements sqlstore.Dialect.
func (dialect) IsForeignKey(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == foreignKeyViolation
}

// RowID implements sqlstore.Dialect.
func (dialect) RowID() string { return "ctid" }
