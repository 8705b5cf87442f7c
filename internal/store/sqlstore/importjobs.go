package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/store"
)

const importJobCols = `j.id, p.id, j.name, j.status, j.role_arn, j.upload_key, j.created_at, j.started_at, j.completed_at,
	j.imported, j.skipped, j.failed, j.message, j.uploaded, j.done, j.line`

const importJobFrom = " FROM import_jobs j JOIN pools p ON p.pk = j.pool"

func scanImportJob(row Row) (*store.ImportJob, error) {
	var j store.ImportJob
	if err := row.Scan(&j.ID, &j.PoolID, &j.Name, &j.Status, &j.RoleARN, &j.UploadKey, at(&j.CreatedAt), at(&j.StartedAt), at(&j.CompletedAt),
		&j.Imported, &j.Skipped, &j.Failed, &j.Message, &j.Uploaded, &j.Done, &j.Line); err != nil {
		return nil, notFound(err)
	}
	return &j, nil
}

// CreateImportJob implements store.ImportJobs.
func (s *Store) CreateImportJob(ctx context.Context, j *store.ImportJob) error {
	err := changed(s.c.Exec(ctx, `INSERT INTO import_jobs (id, pool, name, status, role_arn, upload_key, created_at, started_at, completed_at,
		imported, skipped, failed, message, uploaded, done, line)
		SELECT $2, p.pk, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16 FROM pools p WHERE p.id = $1`,
		j.PoolID, j.ID, j.Name, j.Status, j.RoleARN, j.UploadKey, s.t(j.CreatedAt), s.nullT(j.StartedAt), s.nullT(j.CompletedAt),
		j.Imported, j.Skipped, j.Failed, j.Message, j.Uploaded, j.Done, j.Line))
	if err != nil {
		return s.errorf("create import job", s.mapErr(err))
	}
	return nil
}

// GetImportJob implements store.ImportJobs.
func (s *Store) GetImportJob(ctx context.Context, poolID, id string) (*store.ImportJob, error) {
	j, err := scanImportJob(s.c.Read().QueryRow(ctx, "SELECT "+importJobCols+importJobFrom+" WHERE p.id = $1 AND j.id = $2", poolID, id))
	if err != nil {
		return nil, s.errorf("get import job", err)
	}
	return j, nil
}

// UpdateImportJob implements store.ImportJobs.
func (s *Store) UpdateImportJob(ctx context.Context, poolID, id string, fn func(j *store.ImportJob) error) (*store.ImportJob, error) {
	var j *store.ImportJob
	err := s.update(ctx, "update import job", func(tx Executor) error {
		old, err := scanImportJob(tx.QueryRow(ctx,
			"SELECT "+importJobCols+importJobFrom+" WHERE p.id = $1 AND j.id = $2"+s.d.Lock("FOR UPDATE OF j"), poolID, id))
		if err != nil {
			return err
		}
		j = &store.ImportJob{}
		*j = *old
		if err := call(fn(j)); err != nil {
			return err
		}
		j.PoolID, j.ID, j.CreatedAt = old.PoolID, old.ID, old.CreatedAt
		j.StartedAt, j.CompletedAt = micro(j.StartedAt), micro(j.CompletedAt)
		_, err = tx.Exec(ctx, `UPDATE import_jobs SET name = $1, status = $2, role_arn = $3, upload_key = $4, started_at = $5, completed_at = $6,
			imported = $7, skipped = $8, failed = $9, message = $10, uploaded = $11, done = $12, line = $13 WHERE id = $14`,
			j.Name, j.Status, j.RoleARN, j.UploadKey, s.nullT(j.StartedAt), s.nullT(j.CompletedAt),
			j.Imported, j.Skipped, j.Failed, j.Message, j.Uploaded, j.Done, j.Line, j.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// ListImportJobs implements store.ImportJobs.
func (s *Store) ListImportJobs(ctx context.Context, poolID string, page store.Page) ([]store.ImportJob, string, error) {
	list, next, err := listPage(ctx, s.c.Read(), page, []string{"import jobs", poolID},
		"SELECT "+importJobCols+importJobFrom+" WHERE p.id = $1", []any{poolID}, "j.id",
		scanImportJob, func(j store.ImportJob) string { return j.ID })
	if err != nil {
		return nil, "", s.errorf("list import jobs", err)
	}
	return list, next, nil
}

// ListActiveImportJobs implements store.ImportJobs.
func (s *Store) ListActiveImportJobs(ctx context.Context, statuses []string) ([]store.ImportJob, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	marks := make([]string, len(statuses))
	args := make([]any, len(statuses))
	for i, st := range statuses {
		marks[i] = "$" + strconv.Itoa(i+1)
		args[i] = st
	}
	rows, err := s.c.Read().Query(ctx, "SELECT "+importJobCols+importJobFrom+" WHERE j.status IN ("+strings.Join(marks, ", ")+") ORDER BY j.id", args...)
	if err != nil {
		return nil, s.errorf("list active import jobs", err)
	}
	defer rows.Close()
	var out []store.ImportJob
	for rows.Next() {
		j, err := scanImportJob(rows)
		if err != nil {
			return nil, s.errorf("list active import jobs", err)
		}
		out = append(out, *j)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("list active import jobs", err)
	}
	return out, nil
}

// PutImportChunk implements store.ImportJobs.
func (s *Store) PutImportChunk(ctx context.Context, jobID string, seq int64, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	_, err := s.c.Exec(ctx, `INSERT INTO import_chunks (job, seq, data) VALUES ($1, $2, $3)
		ON CONFLICT (job, seq) DO UPDATE SET data = excluded.data`, jobID, seq, data)
	if err != nil {
		return s.errorf("put import chunk", s.mapErr(err))
	}
	return nil
}

// DeleteImportChunks implements store.ImportJobs.
func (s *Store) DeleteImportChunks(ctx context.Context, jobID string) error {
	if _, err := s.c.Exec(ctx, "DELETE FROM import_chunks WHERE job = $1", jobID); err != nil {
		return s.errorf("delete import chunks", err)
	}
	return nil
}

// GetImportChunk implements store.ImportJobs.
func (s *Store) GetImportChunk(ctx context.Context, jobID string, seq int64) ([]byte, error) {
	var data []byte
	if err := s.c.Read().QueryRow(ctx, "SELECT data FROM import_chunks WHERE job = $1 AND seq = $2", jobID, seq).Scan(&data); err != nil {
		return nil, s.errorf("get import chunk", notFound(err))
	}
	return data, nil
}

// AddImportResults implements store.ImportJobs.
func (s *Store) AddImportResults(ctx context.Context, jobID string, results []store.ImportResult) error {
	err := s.update(ctx, "add import results", func(tx Executor) error {
		for _, r := range results {
			if _, err := tx.Exec(ctx, `INSERT INTO import_results (job, line, username, outcome, message) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (job, line) DO UPDATE SET username = excluded.username, outcome = excluded.outcome, message = excluded.message`,
				jobID, r.Line, r.Username, r.Outcome, r.Message); err != nil {
				return s.mapErr(err)
			}
		}
		return nil
	})
	return err
}

// ListImportResults implements store.ImportJobs.
func (s *Store) ListImportResults(ctx context.Context, jobID string, page store.Page) ([]store.ImportResult, string, error) {
	pos, err := store.Position(page, 1, "import results", jobID)
	if err != nil {
		return nil, "", s.errorf("list import results", err)
	}
	if err := checkLimit(page); err != nil {
		return nil, "", s.errorf("list import results", err)
	}
	after := int64(0)
	if pos != nil {
		if after, err = strconv.ParseInt(pos[0], 10, 64); err != nil {
			return nil, "", s.errorf("list import results", fmt.Errorf("%w: %v", store.ErrBadCursor, err))
		}
	}
	rows, err := s.c.Read().Query(ctx, `SELECT line, username, outcome, message FROM import_results
		WHERE job = $1 AND line > $2 ORDER BY line LIMIT $3`, jobID, after, page.Limit+1)
	if err != nil {
		return nil, "", s.errorf("list import results", err)
	}
	defer rows.Close()
	var out []store.ImportResult
	for rows.Next() {
		var r store.ImportResult
		if err := rows.Scan(&r.Line, &r.Username, &r.Outcome, &r.Message); err != nil {
			return nil, "", s.errorf("list import results", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", s.errorf("list import results", err)
	}
	if len(out) <= page.Limit {
		return out, "", nil
	}
	out = out[:page.Limit]
	return out, store.Cursor{Scope: []string{"import results", jobID}, Pos: []string{strconv.FormatInt(out[page.Limit-1].Line, 10)}}.String(), nil
}
