package postgres

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Reads sent at once come back each with its own answer: its rows, its
// own error (a read that fails in a batch does not fail the others), or
// no row.
func TestCoalescedReads(t *testing.T) {
	s := open(t)
	c := s.pool
	r := newReads(c, 2)
	t.Cleanup(r.close)
	ex := coalescedReads{executor{c}, r}
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for i := range 400 {
		wg.Go(func() {
			switch i % 4 {
			case 0: // rows of its own
				rows, err := ex.Query(ctx, "SELECT g, $1::text || g FROM generate_series(1, $2::int) g", fmt.Sprint(i), i%7)
				if err != nil {
					errs <- fmt.Errorf("read %d: %w", i, err)
					return
				}
				n := 0
				for rows.Next() {
					var g int
					var s string
					if err := rows.Scan(&g, &s); err != nil {
						errs <- fmt.Errorf("read %d: scan: %w", i, err)
						return
					}
					n++
					if g != n || s != fmt.Sprint(i)+fmt.Sprint(n) {
						errs <- fmt.Errorf("read %d: row %d is %d %q", i, n, g, s)
					}
				}
				if rows.Err() != nil || n != i%7 {
					errs <- fmt.Errorf("read %d: %d rows, %v; want %d", i, n, rows.Err(), i%7)
				}
			case 1: // a failing read: division by zero
				var v int
				err := ex.QueryRow(ctx, "SELECT 1 / $1::int", 0).Scan(&v)
				if pgErr, ok := errors.AsType[*pgconn.PgError](err); !ok || pgErr.Code != "22012" {
					errs <- fmt.Errorf("read %d: division by zero gave %v", i, err)
				}
			case 2: // no row
				var v int
				if err := ex.QueryRow(ctx, "SELECT 1 WHERE $1::int < 0", i).Scan(&v); !errors.Is(err, pgx.ErrNoRows) {
					errs <- fmt.Errorf("read %d: no row gave %v", i, err)
				}
			case 3: // one value, NULL among them
				var v, null *int
				if err := ex.QueryRow(ctx, "SELECT $1::int, NULL::int", i).Scan(&v, &null); err != nil || v == nil || *v != i || null != nil {
					errs <- fmt.Errorf("read %d: %v, %v, %v", i, v, null, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A caller that gives up stops waiting; a closed store refuses reads.
func TestCoalescedReadsCancelAndClose(t *testing.T) {
	s := open(t)
	r := newReads(s.pool, 1)
	ex := coalescedReads{executor{s.pool}, r}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := ex.Query(ctx, "SELECT pg_sleep(1)"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}
	r.close()
	r.close() // again: nothing
	if _, err := ex.Query(t.Context(), "SELECT 1"); err == nil {
		t.Error("a read after close was sent")
	}
}

// A slow read does not hold up the reads that arrive after it: a helper
// sends them on another connection.
func TestCoalescedReadsAroundSlowRead(t *testing.T) {
	s := open(t)
	r := newReads(s.pool, 2)
	t.Cleanup(r.close)
	ex := coalescedReads{executor{s.pool}, r}
	ctx := t.Context()
	slow := make(chan error, 1)
	go func() {
		var v int
		slow <- ex.QueryRow(ctx, "SELECT 1 FROM pg_sleep(3)").Scan(&v)
	}()
	for !r.senderSlow() {
		runtime.Gosched()
	}
	var v int
	if err := ex.QueryRow(ctx, "SELECT 7").Scan(&v); err != nil || v != 7 {
		t.Fatalf("quick read: %d, %v", v, err)
	}
	select {
	case err := <-slow:
		t.Errorf("the quick read waited for the slow one (which ended with %v)", err)
	default: // answered while the slow read still runs
	}
	if err := <-slow; err != nil {
		t.Errorf("slow read: %v", err)
	}
}
