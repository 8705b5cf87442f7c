package importjobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userimport"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// ChunkSize is the size of the pieces an uploaded file is stored in; every
// piece but the last is this size.
const ChunkSize = 1 << 20

// batchSize is how many rows the runner imports in one transaction, which
// also records their results and the job's progress.
const batchSize = 100

// Outcomes of a row, as the job's log shows them.
const (
	OutcomeSkipped = "SKIPPED"
	OutcomeFailed  = "FAILED"
)

// Runner imports the rows of started jobs in the background, one goroutine
// a job. Progress is stored with every batch, so a job survives a restart:
// Resume goes on where it stopped.
type Runner struct {
	Deps ops.Deps

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	running map[string]bool
	wg      sync.WaitGroup
}

// NewRunner returns a Runner whose jobs stop when Close is called.
func NewRunner(d ops.Deps) *Runner {
	ctx, cancel := context.WithCancel(context.Background())
	return &Runner{Deps: d, ctx: ctx, cancel: cancel, running: map[string]bool{}}
}

// Run imports a job in the background, unless it runs already.
func (r *Runner) Run(poolID, jobID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running[jobID] || r.ctx.Err() != nil {
		return
	}
	r.running[jobID] = true
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() {
			r.mu.Lock()
			delete(r.running, jobID)
			r.mu.Unlock()
		}()
		if err := r.run(r.ctx, poolID, jobID); err != nil && r.ctx.Err() == nil {
			r.Deps.Logger().Error("user import job", "pool", poolID, "job", jobID, "error", err)
		}
	}()
}

// Resume runs the jobs a previous run of the server left Pending,
// InProgress or Stopping.
func (r *Runner) Resume(ctx context.Context) error {
	jobs, err := r.Deps.Store.ListActiveImportJobs(ctx, []string{StatusPending, StatusInProgress, StatusStopping})
	if err != nil {
		return fmt.Errorf("resume user import jobs: %w", err)
	}
	for _, j := range jobs {
		r.Run(j.PoolID, j.ID)
	}
	return nil
}

// Close stops the jobs (their progress is kept) and waits for them.
func (r *Runner) Close() {
	r.mu.Lock()
	r.cancel()
	r.mu.Unlock()
	r.wg.Wait()
}

// chunks reads a job's uploaded file from the store, a piece at a time,
// from a byte offset.
type chunks struct {
	ctx context.Context
	st  store.ImportJobs
	job string
	seq int64
	buf []byte
	eof bool
}

func newChunks(ctx context.Context, st store.ImportJobs, job string, offset int64) (*chunks, error) {
	c := &chunks{ctx: ctx, st: st, job: job, seq: offset / ChunkSize}
	data, err := st.GetImportChunk(ctx, job, c.seq)
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.eof = true
	case err != nil:
		return nil, err
	case int64(len(data)) < offset%ChunkSize:
		return nil, fmt.Errorf("offset %d is past the end of the file", offset)
	default:
		c.buf = data[offset%ChunkSize:]
	}
	return c, nil
}

func (c *chunks) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.eof {
			return 0, io.EOF
		}
		c.seq++
		data, err := c.st.GetImportChunk(c.ctx, c.job, c.seq)
		if errors.Is(err, store.ErrNotFound) {
			c.eof = true
			continue
		}
		if err != nil {
			return 0, err
		}
		c.buf = data
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

// finish ends a job with a status and completion message.
func (r *Runner) finish(ctx context.Context, j *store.ImportJob, status, message string) error {
	now := r.Deps.Now()
	_, err := r.Deps.Store.UpdateImportJob(ctx, j.PoolID, j.ID, func(x *store.ImportJob) error {
		x.Status, x.Message, x.CompletedAt = status, message, now
		return nil
	})
	return err
}

// run imports a job from where it stands.
func (r *Runner) run(ctx context.Context, poolID, jobID string) error {
	st := r.Deps.Store
	j, err := st.GetImportJob(ctx, poolID, jobID)
	if err != nil {
		return err
	}
	switch j.Status {
	case StatusStopping:
		return r.finish(ctx, j, StatusStopped, "Import Job Stopped")
	case StatusPending, StatusInProgress:
	default:
		return nil
	}
	p, err := userpool.Load(ctx, st, poolID)
	if err != nil {
		return err
	}
	header := userimport.Header(p)
	// The header is read again on every run, for its column order.
	first, err := newChunks(ctx, st, jobID, 0)
	if err != nil {
		return err
	}
	hr := userimport.NewReader(first, 0, 0)
	cols, herr := hr.ReadHeader(header)
	if herr != nil {
		msg := "The CSV file could not be read: " + herr.Error() + "."
		if j.Uploaded == 0 {
			msg = "No CSV file was uploaded to the job's PreSignedUrl."
		}
		return r.finish(ctx, j, StatusFailed, msg)
	}
	rd := hr
	if j.Done > 0 {
		from, err := newChunks(ctx, st, jobID, j.Done)
		if err != nil {
			return err
		}
		rd = userimport.NewReader(from, j.Line, j.Done)
		rd.SetHeader(cols)
	}
	if j.Status == StatusPending {
		if j, err = st.UpdateImportJob(ctx, poolID, jobID, func(x *store.ImportJob) error {
			if x.Status == StatusPending {
				x.Status = StatusInProgress
			}
			return nil
		}); err != nil {
			return err
		}
	}
	for {
		done, err := r.batch(ctx, p, j, rd)
		if err != nil || done {
			return err
		}
	}
}

// batch imports up to batchSize rows, records their results and the job's
// progress in one transaction, and reports whether the job has ended
// (its file read, or stopped).
func (r *Runner) batch(ctx context.Context, p *userpool.Pool, j *store.ImportJob, rd *userimport.Reader) (bool, error) {
	type outcome struct {
		row  *userimport.Row
		user *store.User
		err  error
	}
	var rows []outcome
	eof := false
	for len(rows) < batchSize {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			eof = true
			break
		}
		if err != nil {
			rows = append(rows, outcome{row: row, err: err})
			continue
		}
		u, err := userimport.NewUser(p, row, r.Deps.Minter(r.Deps.Now()))
		rows = append(rows, outcome{row: row, user: u, err: err})
	}
	if rd.Line()-1 > userimport.MaxRows {
		return true, r.finish(ctx, j, StatusFailed, fmt.Sprintf("The CSV file has more than %d users.", userimport.MaxRows))
	}
	ended := false
	err := r.Deps.Store.Tx(ctx, func(tx store.Store) error {
		var imported, skipped, failed int64
		var results []store.ImportResult
		for _, o := range rows {
			res := store.ImportResult{Line: o.row.Line, Username: o.row.Values[userimport.ColUsername]}
			err := o.err
			if err == nil {
				err = tx.CreateUser(ctx, o.user)
			}
			switch {
			case err == nil:
				imported++
				continue
			case errors.Is(err, store.ErrConflict):
				skipped++
				res.Outcome, res.Message = OutcomeSkipped, "The user already exists."
			case errors.Is(err, store.ErrAliasConflict):
				failed++
				res.Outcome, res.Message = OutcomeFailed, "An account with the given email or phone number already exists."
			case errors.Is(err, store.ErrNotFound):
				return err // the pool is gone
			case o.err != nil:
				failed++
				res.Outcome, res.Message = OutcomeFailed, o.err.Error()
			default:
				return fmt.Errorf("import line %d: %w", o.row.Line, err)
			}
			results = append(results, res)
		}
		if err := tx.AddImportResults(ctx, j.ID, results); err != nil {
			return err
		}
		now := r.Deps.Now()
		updated, err := tx.UpdateImportJob(ctx, j.PoolID, j.ID, func(x *store.ImportJob) error {
			x.Imported += imported
			x.Skipped += skipped
			x.Failed += failed
			x.Done, x.Line = rd.Offset(), rd.Line()
			switch {
			case x.Status == StatusStopping:
				x.Status, x.Message, x.CompletedAt = StatusStopped, "Import Job Stopped", now
			case eof:
				x.Status, x.CompletedAt = StatusSucceeded, now
				x.Message = "Import Job Completed Successfully."
				if x.Failed > 0 || x.Skipped > 0 {
					x.Message = fmt.Sprintf("Import Job Completed: %d users imported, %d skipped, %d failed; the job's log lists them.", x.Imported, x.Skipped, x.Failed)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		ended = updated.Status != StatusInProgress
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return true, nil // the pool or the job was deleted
	}
	if err != nil {
		return true, err
	}
	if ended {
		return true, r.Deps.Store.DeleteImportChunks(ctx, j.ID)
	}
	return false, nil
}
