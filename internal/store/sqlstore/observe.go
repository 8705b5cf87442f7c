package sqlstore

import (
	"context"
	"time"
)

// Observer is told the kind and duration of every call a Store makes to
// its database: "read" (a query, until its rows are read), "write" (a
// statement or read-modify-write that commits on its own, or under a
// savepoint inside a transaction) and "transaction" (a whole Tx).
type Observer func(kind string, took time.Duration)

// Observe makes the store report its calls to obs. Call it before the
// store is used.
func (s *Store) Observe(obs Observer) {
	if obs != nil {
		s.c = observedConn{Conn: s.c, obs: obs}
	}
}

// observedConn is a Conn that times its calls.
type observedConn struct {
	Conn
	obs Observer
}

func (c observedConn) since(kind string, start time.Time) { c.obs(kind, time.Since(start)) }

func (c observedConn) Read() Executor { return observedReads{Executor: c.Conn.Read(), obs: c.obs} }

func (c observedConn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	defer c.since("write", time.Now())
	return c.Conn.Exec(ctx, query, args...)
}

func (c observedConn) ExecAll(ctx context.Context, stmts []Stmt) ([]int64, error) {
	defer c.since("write", time.Now())
	return c.Conn.ExecAll(ctx, stmts)
}

func (c observedConn) Write(ctx context.Context, fn func(Executor) error) error {
	defer c.since("write", time.Now())
	return c.Conn.Write(ctx, fn)
}

func (c observedConn) Tx(ctx context.Context, fn func(Conn) error) error {
	defer c.since("transaction", time.Now())
	return c.Conn.Tx(ctx, func(tx Conn) error {
		return fn(observedConn{Conn: tx, obs: c.obs})
	})
}

// observedReads times the queries of Conn.Read: a QueryRow until its Scan
// returns, a Query until its rows are closed.
type observedReads struct {
	Executor
	obs Observer
}

func (r observedReads) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	start := time.Now()
	rows, err := r.Executor.Query(ctx, query, args...)
	if err != nil {
		r.obs("read", time.Since(start))
		return nil, err
	}
	return &observedRows{Rows: rows, start: start, obs: r.obs}, nil
}

func (r observedReads) QueryRow(ctx context.Context, query string, args ...any) Row {
	start := time.Now()
	return observedRow{row: r.Executor.QueryRow(ctx, query, args...), start: start, obs: r.obs}
}

type observedRow struct {
	row   Row
	start time.Time
	obs   Observer
}

func (r observedRow) Scan(dest ...any) error {
	defer func() { r.obs("read", time.Since(r.start)) }()
	return r.row.Scan(dest...)
}

type observedRows struct {
	Rows
	start  time.Time
	obs    Observer
	closed bool
}

func (r *observedRows) Close() {
	r.Rows.Close()
	if !r.closed {
		r.closed = true
		r.obs("read", time.Since(r.start))
	}
}
