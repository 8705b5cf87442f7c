package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
)

// The driver parses a statement every time it runs one that was not
// prepared, and parsing is a large part of a short statement's cost (a
// third of the CPU of UpdateUser, the guess counter's write). A connection of
// the store therefore keeps the statements it runs more than once prepared,
// for as long as it lives: every statement of a write transaction, and every
// statement outside one, runs on the one writer connection, and every read
// on one of the pool's read connections. A statement is kept from its second
// run, so that one-off statements (migrations) are not.

// Limits on what one connection remembers. The store's statements come from
// a fixed set of shapes, well under these; past them, statements simply run
// unprepared.
const (
	maxSeen   = 1024 // statements run once, not kept yet
	maxCached = 512  // statements kept prepared
)

// cachingConnector opens the driver's connections as cachingConns.
type cachingConnector struct{ driver.Connector }

// Connect implements driver.Connector.
func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	dc, ok := conn.(driverConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite: the driver's connection %T lacks the context methods", conn)
	}
	return &cachingConn{driverConn: dc, seen: map[string]bool{}, stmts: map[string]*cachedStmt{}}, nil
}

// driverConn is what modernc.org/sqlite's connections implement, and what
// cachingConn forwards.
type driverConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// driverStmt is what the driver's statements implement.
type driverStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachingConn is a driver connection that runs ExecContext and QueryContext
// on statements it keeps prepared. database/sql uses a connection from one
// goroutine at a time, so it needs no lock; but the rows of a query may
// still be open when the next statement runs (inside a transaction), so a
// statement whose rows are open is not reused until they are closed.
type cachingConn struct {
	driverConn
	seen  map[string]bool
	stmts map[string]*cachedStmt
}

// cachedStmt is a kept statement.
type cachedStmt struct {
	driverStmt
	busy bool // its rows are open
}

// Unwrap returns the driver's connection (sqlite.Limit looks for it).
func (c *cachingConn) Unwrap() driver.Conn { return c.driverConn }

// stmt returns the kept statement for query, preparing it on its second
// run, or nil when query is to run unprepared.
func (c *cachingConn) stmt(ctx context.Context, query string) *cachedStmt {
	if st, ok := c.stmts[query]; ok {
		if st.busy {
			return nil
		}
		return st
	}
	if !c.seen[query] {
		if len(c.seen) < maxSeen {
			c.seen[query] = true
		}
		return nil
	}
	if len(c.stmts) >= maxCached {
		return nil
	}
	ds, err := c.driverConn.PrepareContext(ctx, query)
	if err != nil {
		return nil // running it unprepared reports the error
	}
	st, ok := ds.(driverStmt)
	if !ok {
		ds.Close()
		return nil
	}
	delete(c.seen, query)
	c.stmts[query] = &cachedStmt{driverStmt: st}
	return c.stmts[query]
}

// ExecContext implements driver.ExecerContext.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	st := c.stmt(ctx, query)
	if st == nil {
		return c.driverConn.ExecContext(ctx, query, args)
	}
	return st.ExecContext(ctx, args)
}

// QueryContext implements driver.QueryerContext.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st := c.stmt(ctx, query)
	if st == nil {
		return c.driverConn.QueryContext(ctx, query, args)
	}
	rows, err := st.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	st.busy = true
	return &cachedRows{Rows: rows, st: st}, nil
}

// Close implements driver.Conn: it closes the kept statements, then the
// connection.
func (c *cachingConn) Close() error {
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.Close())
		delete(c.stmts, q)
	}
	return errors.Join(append(errs, c.driverConn.Close())...)
}

// cachedRows are the rows of a kept statement, which closing them frees
// for the next run. They forward what database/sql needs to scan: the
// column names and the values.
type cachedRows struct {
	driver.Rows
	st *cachedStmt
}

// Close implements driver.Rows.
func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.st.busy = false
	return err
}
