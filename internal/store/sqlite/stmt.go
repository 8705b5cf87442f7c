package sqlite

import (
	"context"
	"database/sql"

	"github.com/cognate-idp/cognate/internal/store/sqlstore"
)

// querier is what the store runs statements on: the writer connection, the
// read pool, or a write transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
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
