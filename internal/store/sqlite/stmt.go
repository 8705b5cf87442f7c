package sqlite

import (
	"context"
	"database/sql"
	"sync"

	"github.com/cognate-idp/cognate/internal/store/sqlstore"
)

// querier is what the store runs statements on: the writer connection, the
// read pool, or a write transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// preparer prepares each distinct statement once and keeps it. The store's
// statements come from a fixed set of shapes, so the cache stays small.
// Parsing is a large part of a simple statement's cost with this driver.
type preparer struct {
	prepare func(ctx context.Context, query string) (*sql.Stmt, error)
	direct  querier // used when a statement cannot be prepared, to report why

	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// readPool returns the read pool with a statement cache. Preparing on it
// never waits for a transaction, since reads inside one go through the
// transaction's own preparer.
func readPool(db *sql.DB) *preparer {
	return &preparer{prepare: db.PrepareContext, direct: db, stmts: map[string]*sql.Stmt{}}
}

// txConn returns a write transaction whose statements are prepared once per
// transaction: a bulk load of many users in one transaction parses each
// statement once.
func txConn(tx *sql.Tx) *preparer {
	return &preparer{prepare: tx.PrepareContext, direct: tx, stmts: map[string]*sql.Stmt{}}
}

func (p *preparer) stmt(ctx context.Context, query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.stmts[query]; ok {
		return st
	}
	st, err := p.prepare(ctx, query)
	if err != nil {
		return nil
	}
	p.stmts[query] = st
	return st
}

func (p *preparer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.direct.ExecContext(ctx, query, args...)
}

func (p *preparer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.direct.QueryContext(ctx, query, args...)
}

func (p *preparer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.direct.QueryRowContext(ctx, query, args...)
}

// close closes the prepared statements.
func (p *preparer) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for q, st := range p.stmts {
		st.Close()
		delete(p.stmts, q)
	}
}

// executor is a querier as a sqlstore.Executor.
type executor struct{ q querier }

func (e executor) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := e.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (e executor) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := e.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (e executor) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return e.q.QueryRowContext(ctx, query, args...)
}

func (e executor) ExecAll(ctx context.Context, stmts []sqlstore.Stmt) ([]int64, error) {
	n := make([]int64, len(stmts))
	for i, st := range stmts {
		var err error
		if n[i], err = e.Exec(ctx, st.SQL, st.Args...); err != nil {
			return n, &sqlstore.StmtError{Index: i, Err: err}
		}
	}
	return n, nil
}

// sqlRows is *sql.Rows as sqlstore.Rows, whose Close returns nothing: an
// error that ends the rows is reported by Err.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }
