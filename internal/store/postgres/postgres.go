// Package postgres stores Cognate's data in PostgreSQL, through pgx.
//
// Read-modify-write operations lock the row (SELECT ... FOR UPDATE) in one
// transaction. Inside Tx, every operation runs under a savepoint, so that a
// failed one leaves the transaction usable; single-statement operations send
// the savepoint, the statement and its release in one round trip. The schema
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
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store over a PostgreSQL database. It is safe for
// concurrent use; the Store passed to a Tx function is not.
type Store struct {
	pool *pgxpool.Pool
	tx   pgx.Tx // the open transaction, in the Store passed to a Tx function
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
	return &Store{pool: pool}, nil
}

// Close closes the connections. It must not be called inside Tx.
func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("postgres: Close called inside a transaction")
	}
	s.pool.Close()
	return nil
}

// Tx implements store.Store.
func (s *Store) Tx(ctx context.Context, fn func(tx store.Store) error) error {
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		inner := s
		if s.tx == nil {
			inner = &Store{pool: s.pool, tx: tx}
		}
		fnErr = fn(inner)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("postgres: transaction: %w", err)
	}
	return nil
}

// querier is what *pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// q returns where statements go: the open transaction, or the pool.
func (s *Store) q() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.pool
}

// write runs fn atomically: in a transaction of its own, or, inside Tx, in a
// savepoint of the open transaction, which fn's error rolls back.
func (s *Store) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var tx pgx.Tx
	var err error
	if s.tx != nil {
		tx, err = s.tx.Begin(ctx) // SAVEPOINT
	} else {
		tx, err = s.pool.Begin(ctx)
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

// one runs a single statement atomically; read takes its result from br.
// Outside Tx the statement runs on its own. Inside Tx it is sent between a
// savepoint and its release, in one round trip, and a failure rolls back to
// the savepoint so that the transaction stays usable.
func (s *Store) one(ctx context.Context, read func(br pgx.BatchResults) error, sql string, args ...any) error {
	var b pgx.Batch
	if s.tx == nil {
		b.Queue(sql, args...)
		br := s.pool.SendBatch(ctx, &b)
		if err := read(br); err != nil {
			br.Close()
			return err
		}
		return br.Close()
	}
	b.Queue("SAVEPOINT one")
	b.Queue(sql, args...)
	b.Queue("RELEASE SAVEPOINT one")
	br := s.tx.SendBatch(ctx, &b)
	_, spErr := br.Exec()
	err := read(br)
	_, relErr := br.Exec()
	if closeErr := br.Close(); spErr == nil && relErr == nil && closeErr == nil {
		return err // the savepoint is released
	}
	// The statement failed, and the server skipped the release.
	if _, rbErr := s.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT one; RELEASE SAVEPOINT one"); rbErr != nil {
		return errors.Join(err, spErr, rbErr)
	}
	return errors.Join(err, spErr)
}

// exec runs a statement that returns no rows, as one does, and returns the
// number of rows it changed.
func (s *Store) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	var n int64
	err := s.one(ctx, func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		n = tag.RowsAffected()
		return err
	}, sql, args...)
	return n, err
}

// queryRow runs a statement that returns one row into dest, as one does.
func (s *Store) queryRow(ctx context.Context, dest []any, sql string, args ...any) error {
	return s.one(ctx, func(br pgx.BatchResults) error {
		return notFound(br.QueryRow().Scan(dest...))
	}, sql, args...)
}

// pgError returns err's PostgreSQL error, or nil.
func pgError(err error) *pgconn.PgError {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// SQLSTATE codes the store maps onto its sentinels.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// mapErr maps unique violations onto ErrConflict (ErrAliasConflict in the
// aliases table) and foreign key violations onto ErrNotFound.
func mapErr(err error) error {
	switch e := pgError(err); {
	case e == nil:
		return err
	case e.Code == uniqueViolation && e.TableName == "aliases":
		return fmt.Errorf("%w (%s)", store.ErrAliasConflict, e.Message)
	case e.Code == uniqueViolation:
		return fmt.Errorf("%w (%s)", store.ErrConflict, e.Message)
	case e.Code == foreignKeyViolation:
		return fmt.Errorf("%w (%s)", store.ErrNotFound, e.Message)
	}
	return err
}

// notFound maps pgx.ErrNoRows onto store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// changed returns ErrNotFound when a statement changed no row.
func changed(n int64, err error) error {
	if err == nil && n == 0 {
		return store.ErrNotFound
	}
	return err
}

// ts is how a time is stored: UTC, whole microseconds.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTS stores the zero time as NULL.
func nullTS(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := ts(t)
	return &v
}

// fromNullTS is the inverse of nullTS.
func fromNullTS(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// poolPK is a scalar subquery for the surrogate key of the pool whose ID is
// $1.
const poolPK = "(SELECT pk FROM pools WHERE id = $1)"

// userID is a scalar subquery for the row id of the user whose pool ID is
// $1 and whose sub is $2.
const userID = "(SELECT id FROM users WHERE pool = " + poolPK + " AND sub = $2)"

// checkLimit rejects a page size below 1.
func checkLimit(page store.Page) error {
	if page.Limit < 1 {
		return fmt.Errorf("page limit %d is below 1", page.Limit)
	}
	return nil
}
