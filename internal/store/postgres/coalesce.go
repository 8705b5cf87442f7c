package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cognate-idp/cognate/internal/store/sqlstore"
)

// maxCoalesced is the most reads one round trip carries.
const maxCoalesced = 16

// reads sends the statements that read outside a transaction, pipelining
// those that wait at the same time in one round trip (a pgx batch). One
// sender does this while it keeps up, so on a busy server each read costs
// the database and the server a fraction of a wake-up and of a pair of
// socket calls: with 16 requests in flight on two cores, reads went about
// four to a round trip, PostgreSQL's CPU per read fell by a third or
// more and directory reads served 30% more requests (docs/benchmarks.md).
// When a round trip's worth of reads or more waits (a burst), or a read
// arrives while the sender has been busy for slowBatch (a slow read holding
// it up), helpers take batches on other connections, up to the pool's size
// in all.
//
// Each read's result is read whole into memory and handed to its caller,
// who scans it as pgx would. A batch runs in one implicit transaction, so
// when one of its reads fails the ones after it fail too: those are sent
// again one by one, so that each gets its own answer.
type reads struct {
	pool  *pgxpool.Pool
	queue chan *read
	spill chan struct{} // wakes a helper: a batch waits, or the sender is slow
	done  chan struct{}
	stop  sync.Once
	// busySince is when the sender's batch in flight was sent (Unix
	// nanoseconds), zero while it waits for reads.
	busySince atomic.Int64
}

// slowBatch is how long the sender may be busy with one batch before a read
// that arrives meanwhile calls a helper.
const slowBatch = 5 * time.Millisecond

// errStoreClosed answers the reads that come after close.
var errStoreClosed = errors.New("postgres: store closed")

// read is one statement waiting to be sent.
type read struct {
	sql  string
	args []any
	res  chan readResult // buffered: the sender never waits on a caller
}

type readResult struct {
	rows *bufferedRows
	err  error
}

// newReads starts a sender and senders-1 helpers of reads over pool.
func newReads(pool *pgxpool.Pool, senders int) *reads {
	r := &reads{pool: pool, queue: make(chan *read, 4*maxCoalesced), spill: make(chan struct{}, 1), done: make(chan struct{})}
	go r.sender()
	for range senders - 1 {
		go r.helper()
	}
	return r
}

// close stops the senders; reads after it fail. Closing again does nothing,
// as closing a pgxpool.Pool again does nothing.
func (r *reads) close() { r.stop.Do(func() { close(r.done) }) }

// sender sends whatever waits, as soon as it can.
func (r *reads) sender() {
	for {
		select {
		case first := <-r.queue:
			r.busySince.Store(time.Now().UnixNano())
			r.send(r.drain([]*read{first}))
			r.busySince.Store(0)
		case <-r.done:
			return
		}
	}
}

// helper sends a batch each time the queue has held a full one.
func (r *reads) helper() {
	for {
		select {
		case <-r.spill:
			if batch := r.drain(nil); len(batch) > 0 {
				r.send(batch)
			}
		case <-r.done:
			return
		}
	}
}

// drain adds the reads waiting in the queue to batch, up to a full one.
func (r *reads) drain(batch []*read) []*read {
	for len(batch) < maxCoalesced {
		select {
		case q := <-r.queue:
			batch = append(batch, q)
		default:
			return batch
		}
	}
	return batch
}

// send runs a batch of reads on one connection and answers each.
func (r *reads) send(batch []*read) {
	ctx := context.Background() // a caller that gives up stops waiting; the read still ends
	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		for _, q := range batch {
			q.res <- readResult{err: err}
		}
		return
	}
	defer conn.Release()
	m := conn.Conn().TypeMap()
	if len(batch) == 1 {
		batch[0].res <- one(ctx, conn, m, batch[0])
		return
	}
	var b pgx.Batch
	for _, q := range batch {
		b.Queue(q.sql, q.args...)
	}
	br := conn.SendBatch(ctx, &b)
	var again []*read
	for i, q := range batch {
		rows, err := br.Query()
		var res readResult
		if err == nil {
			res.rows, res.err = buffer(rows, m)
		} else {
			res.err = err
		}
		if res.err != nil {
			again = batch[i:] // this read and every one after it
			break
		}
		q.res <- res
	}
	closeErr := br.Close()
	if again == nil && closeErr != nil {
		// Every read answered, but the connection failed after: nothing to redo.
		return
	}
	for _, q := range again {
		q.res <- one(ctx, conn, m, q)
	}
}

// one runs a single read.
func one(ctx context.Context, conn *pgxpool.Conn, m *pgtype.Map, q *read) readResult {
	rows, err := conn.Query(ctx, q.sql, q.args...)
	if err != nil {
		return readResult{err: err}
	}
	buf, err := buffer(rows, m)
	return readResult{rows: buf, err: err}
}

// buffer reads rows whole and closes them.
func buffer(rows pgx.Rows, m *pgtype.Map) (*bufferedRows, error) {
	defer rows.Close()
	// The connection reuses its field descriptions for its next result.
	b := &bufferedRows{fields: slices.Clone(rows.FieldDescriptions()), m: m, at: -1}
	for rows.Next() {
		raw := rows.RawValues()
		row := make([][]byte, len(raw))
		for i, v := range raw {
			if v != nil {
				row[i] = append(make([]byte, 0, len(v)), v...)
			}
		}
		b.rows = append(b.rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return b, nil
}

// query sends a read and waits for its result.
func (r *reads) query(ctx context.Context, sql string, args []any) (*bufferedRows, error) {
	q := &read{sql: sql, args: args, res: make(chan readResult, 1)}
	select {
	case <-r.done:
		return nil, errStoreClosed
	default:
	}
	select {
	case r.queue <- q:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-r.done:
		return nil, errStoreClosed
	}
	if len(r.queue) >= maxCoalesced || r.senderSlow() {
		select {
		case r.spill <- struct{}{}:
		default: // a helper is already called
		}
	}
	select {
	case res := <-q.res:
		return res.rows, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-r.done:
		return nil, errStoreClosed
	}
}

// senderSlow reports whether the sender has been busy with one batch for
// slowBatch or longer.
func (r *reads) senderSlow() bool {
	since := r.busySince.Load()
	return since != 0 && time.Since(time.Unix(0, since)) >= slowBatch
}

// bufferedRows is a result read whole, scanned as pgx scans a row.
type bufferedRows struct {
	fields []pgconn.FieldDescription
	m      *pgtype.Map
	rows   [][][]byte
	at     int
	err    error
}

// Next implements sqlstore.Rows.
func (b *bufferedRows) Next() bool {
	if b.err != nil || b.at+1 >= len(b.rows) {
		b.at = len(b.rows)
		return false
	}
	b.at++
	return true
}

// Scan implements sqlstore.Rows.
func (b *bufferedRows) Scan(dest ...any) error {
	if b.at < 0 || b.at >= len(b.rows) {
		return errors.New("postgres: Scan without a row")
	}
	if len(dest) != len(b.fields) {
		return fmt.Errorf("postgres: %d columns scanned into %d destinations", len(b.fields), len(dest))
	}
	for i, d := range dest {
		if d == nil {
			continue
		}
		f := b.fields[i]
		if err := b.m.Scan(f.DataTypeOID, f.Format, b.rows[b.at][i], d); err != nil {
			b.err = fmt.Errorf("scan column %s: %w", f.Name, err)
			return b.err
		}
	}
	return nil
}

// Err implements sqlstore.Rows.
func (b *bufferedRows) Err() error { return b.err }

// Close implements sqlstore.Rows.
func (b *bufferedRows) Close() {}

// bufferedRow is QueryRow's answer: the first row of a result.
type bufferedRow struct {
	rows *bufferedRows
	err  error
}

// Scan implements sqlstore.Row: pgx.ErrNoRows, which wraps sql.ErrNoRows,
// when there is no row.
func (r bufferedRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	if !r.rows.Next() {
		return pgx.ErrNoRows
	}
	return r.rows.Scan(dest...)
}

// coalescedReads is the executor of reads outside a transaction.
type coalescedReads struct {
	executor
	r *reads
}

// Query implements sqlstore.Executor.
func (e coalescedReads) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	rows, err := e.r.query(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// QueryRow implements sqlstore.Executor.
func (e coalescedReads) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	rows, err := e.r.query(ctx, sql, args)
	return bufferedRow{rows: rows, err: err}
}
