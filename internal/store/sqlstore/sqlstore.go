// Package sqlstore is the one implementation of store.Store over SQL: every
// query, scanner and keyset paging routine, written once. The SQL backends
// (sqlite, postgres) open their connections, run their migrations, and give
// a Dialect for what differs between the two databases: how times and lists
// of strings are stored, row locks, error codes, and the connections that
// statements run on.
//
// Queries use PostgreSQL's numbered placeholders ($1, $2, ...), which SQLite
// also reads as numbered parameters, so that an argument can be named more
// than once.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// Executor runs statements: on a connection pool, a single connection or a
// transaction.
type Executor interface {
	// Exec runs a statement that returns no rows and returns the number of
	// rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a statement that returns rows.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryRow runs a statement that returns at most one row; its Scan
	// returns an error wrapping sql.ErrNoRows when there is none.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// ExecAll runs statements that return no rows, in order, and returns
	// the number of rows each changed. It stops at the first that fails,
	// with a *StmtError. PostgreSQL receives them in one round trip.
	ExecAll(ctx context.Context, stmts []Stmt) ([]int64, error)
}

// Stmt is a statement and its arguments.
type Stmt struct {
	SQL  string
	Args []any
}

// StmtError is the failure of statement Index of an ExecAll.
type StmtError struct {
	Index int
	Err   error
}

func (e *StmtError) Error() string { return fmt.Sprintf("statement %d: %v", e.Index, e.Err) }

func (e *StmtError) Unwrap() error { return e.Err }

// failedStmt returns the index of the statement of an ExecAll that err
// reports, or -1.
func failedStmt(err error) int {
	var se *StmtError
	if errors.As(err, &se) {
		return se.Index
	}
	return -1
}

// Row is one row of a result.
type Row interface {
	Scan(dest ...any) error
}

// Rows is a result being read.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Conn is where a Store's statements go: the database, or the transaction
// open in the Store that Tx passes to its function.
type Conn interface {
	// Read returns where reads go.
	Read() Executor
	// Exec runs a write of a single statement, returning no rows, and
	// returns the number of rows it changed. Outside a transaction the
	// statement commits on its own; inside one, a failing statement undoes
	// only itself and leaves the transaction usable.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// ExecAll runs statements as Executor.ExecAll does, and atomically, as
	// Exec runs one: all of them take effect or none.
	ExecAll(ctx context.Context, stmts []Stmt) ([]int64, error)
	// Write runs fn atomically: in a transaction of its own or, inside one,
	// under a savepoint that fn's error rolls back. Statements fn runs on
	// the executor it is given read what fn wrote.
	Write(ctx context.Context, fn func(Executor) error) error
	// Tx runs fn in one transaction with the Conn of that transaction; in a
	// transaction already, under a savepoint, with the same Conn.
	Tx(ctx context.Context, fn func(Conn) error) error
	// InTx reports whether the Conn is a transaction's.
	InTx() bool
	// Close closes the database.
	Close() error
}

// Dialect is what differs between the SQL databases: the encoding of values,
// row locks, error codes and the few statements that cannot be written the
// same way.
type Dialect interface {
	// Name prefixes the store's errors ("sqlite", "postgres").
	Name() string
	// Time returns the argument that stores t, at microsecond precision.
	// Columns of times are read into a *Time.
	Time(t time.Time) any
	// Strings returns the argument that stores a list of strings, never
	// NULL; StringsDest returns the scan destination that reads one into
	// *ss.
	Strings(ss []string) (any, error)
	StringsDest(ss *[]string) any
	// JSONTime returns how a time is kept inside a JSON document.
	JSONTime(t time.Time) any
	// Lock returns the row lock clause to append to a SELECT (for example
	// "FOR UPDATE OF c"), or "" where writers are serialized anyway.
	Lock(clause string) string
	// Serialize makes the transaction of ex the only one past this point
	// for key until it ends.
	Serialize(ctx context.Context, ex Executor, key int64) error
	// IsUnique reports whether err is a unique or primary key violation;
	// IsForeignKey whether it is a foreign key violation.
	IsUnique(err error) bool
	IsForeignKey(err error) bool
	// RowID names the column that identifies a row physically ("rowid",
	// "ctid"), which deleteExpired uses to delete in batches.
	RowID() string
}

var _ store.Store = (*Store)(nil)

// Store is the store.Store of a SQL database. It is safe for concurrent
// use; the Store passed to a Tx function is not.
type Store struct {
	d Dialect
	c Conn
}

// New returns the Store of the database that c connects to.
func New(d Dialect, c Conn) *Store { return &Store{d: d, c: c} }

// Tx implements store.Store.
func (s *Store) Tx(ctx context.Context, fn func(tx store.Store) error) error {
	var fnErr error
	err := s.c.Tx(ctx, func(c Conn) error {
		fnErr = fn(&Store{d: s.d, c: c})
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return s.errorf("transaction", err)
	}
	return nil
}

// Close implements store.Store. It must not be called inside Tx.
func (s *Store) Close() error {
	if s.c.InTx() {
		return fmt.Errorf("%s: Close called inside a transaction", s.d.Name())
	}
	return s.c.Close()
}

// errorf wraps err with the dialect's name and what failed.
func (s *Store) errorf(what string, err error) error {
	return fmt.Errorf("%s: %s: %w", s.d.Name(), what, err)
}

// update runs fn in s.c.Write, the read-modify-write of an Update method.
// The error of the caller's function, which fn marks with call, is returned
// as it is; the store's own is wrapped with what.
func (s *Store) update(ctx context.Context, what string, fn func(ex Executor) error) error {
	err := s.c.Write(ctx, fn)
	var caller callerError
	if errors.As(err, &caller) {
		return caller.err
	}
	if err != nil {
		return s.errorf(what, s.mapErr(err))
	}
	return nil
}

// callerError carries the error of a caller's function (the fn of an
// Update method) through update unwrapped.
type callerError struct{ err error }

func (e callerError) Error() string { return e.err.Error() }

// call marks err, returned by the caller's function, as the caller's.
func call(err error) error {
	if err != nil {
		return callerError{err}
	}
	return nil
}

// mapErr maps unique violations onto ErrConflict and foreign key violations
// onto ErrNotFound.
func (s *Store) mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case s.d.IsUnique(err):
		return fmt.Errorf("%w (%v)", store.ErrConflict, err)
	case s.d.IsForeignKey(err):
		return fmt.Errorf("%w (%v)", store.ErrNotFound, err)
	}
	return err
}

// notFound maps sql.ErrNoRows onto store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
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

// t returns the argument that stores t.
func (s *Store) t(t time.Time) any { return s.d.Time(t) }

// nullT returns the argument that stores t, NULL for the zero time.
func (s *Store) nullT(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.d.Time(t)
}

// micro is t as the store keeps it: UTC, whole microseconds; the zero time
// stays zero.
func micro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
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

// at returns the scan destination of a time column into *t: microseconds
// since the Unix epoch (SQLite) or a timestamp (PostgreSQL), in UTC; NULL
// is the zero time.
func at(t *time.Time) any { return timeDest{t} }

type timeDest struct{ t *time.Time }

func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
	case int64:
		*d.t = time.UnixMicro(v).UTC()
	case time.Time:
		*d.t = v.UTC()
	default:
		return fmt.Errorf("cannot scan %T into a time", src)
	}
	return nil
}

// jsonArg returns the argument that stores v as a JSON document (TEXT in
// SQLite, jsonb in PostgreSQL).
func jsonArg(v any) driver.Valuer { return jsonValue{v} }

type jsonValue struct{ v any }

func (j jsonValue) Value() (driver.Value, error) {
	b, err := json.Marshal(j.v)
	return string(b), err
}

// JSONDest returns the scan destination that reads a JSON document into v.
func JSONDest(v any) sql.Scanner { return jsonScan{v} }

type jsonScan struct{ v any }

func (j jsonScan) Scan(src any) error {
	switch b := src.(type) {
	case []byte:
		return json.Unmarshal(b, j.v)
	case string:
		return json.Unmarshal([]byte(b), j.v)
	}
	return fmt.Errorf("cannot scan %T as JSON", src)
}
