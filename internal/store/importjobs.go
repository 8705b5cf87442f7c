package store

import (
	"context"
	"time"
)

// ImportJob is a user import job: the CSV file uploaded for it, kept in
// pieces, and where its import stands.
type ImportJob struct {
	PoolID string
	// ID is unique across pools.
	ID      string
	Name    string
	Status  string
	RoleARN string
	// UploadKey is the secret of the job's upload URL, sealed.
	UploadKey   []byte
	CreatedAt   time.Time
	StartedAt   time.Time
	CompletedAt time.Time
	Imported    int64
	Skipped     int64
	Failed      int64
	// Message is the CompletionMessage.
	Message string
	// Uploaded is the number of bytes of the file stored; Done how many of
	// them the import has read (where it resumes after a restart), Line
	// the file line it has reached.
	Uploaded int64
	Done     int64
	Line     int64
}

// ImportResult is what became of one row of an import file.
type ImportResult struct {
	Line     int64
	Username string
	// Outcome is IMPORTED, SKIPPED or FAILED.
	Outcome string
	Message string
}

// ImportJobs stores user import jobs. They go with their pool.
type ImportJobs interface {
	// CreateImportJob stores a new job: ErrNotFound if the pool does not
	// exist, ErrConflict if the ID is taken.
	CreateImportJob(ctx context.Context, j *ImportJob) error
	// GetImportJob returns a job of a pool, or ErrNotFound.
	GetImportJob(ctx context.Context, poolID, id string) (*ImportJob, error)
	// UpdateImportJob is the read-modify-write of a job, as UpdatePool;
	// PoolID, ID and CreatedAt cannot be changed by fn.
	UpdateImportJob(ctx context.Context, poolID, id string, fn func(j *ImportJob) error) (*ImportJob, error)
	// ListImportJobs returns a pool's jobs ordered by ID.
	ListImportJobs(ctx context.Context, poolID string, page Page) ([]ImportJob, string, error)
	// ListActiveImportJobs returns the jobs of every pool in one of the
	// statuses given, ordered by ID (for resuming after a restart).
	ListActiveImportJobs(ctx context.Context, statuses []string) ([]ImportJob, error)
	// PutImportChunk stores piece seq (from 0) of a job's file, replacing
	// one of that number; ErrNotFound if the job does not exist.
	PutImportChunk(ctx context.Context, jobID string, seq int64, data []byte) error
	// DeleteImportChunks removes the pieces of a job's file.
	DeleteImportChunks(ctx context.Context, jobID string) error
	// GetImportChunk returns piece seq of a job's file, or ErrNotFound.
	GetImportChunk(ctx context.Context, jobID string, seq int64) ([]byte, error)
	// AddImportResults records rows' results (a line recorded again is
	// replaced, so that a resumed import can repeat rows).
	AddImportResults(ctx context.Context, jobID string, results []ImportResult) error
	// ListImportResults returns a job's results ordered by line.
	ListImportResults(ctx context.Context, jobID string, page Page) ([]ImportResult, string, error)
}
