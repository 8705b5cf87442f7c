// Package importjobs implements the user import jobs: CreateUserImportJob
// (with a PreSignedUrl that Cognate itself serves, signed and valid for 15
// minutes, for the CSV upload), StartUserImportJob, StopUserImportJob,
// DescribeUserImportJob and ListUserImportJobs, the HTTP upload and the
// per-row log, and the runner that imports the rows in the background.
package importjobs

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
)

// Statuses of a job.
const (
	StatusCreated    = "Created"
	StatusPending    = "Pending"
	StatusInProgress = "InProgress"
	StatusStopping   = "Stopping"
	StatusStopped    = "Stopped"
	StatusSucceeded  = "Succeeded"
	StatusFailed     = "Failed"
	StatusExpired    = "Expired"
)

// URLValidity is how long a PreSignedUrl accepts the upload; a job not
// started within ExpireAfter of its creation is Expired.
const (
	URLValidity = 15 * time.Minute
	ExpireAfter = 24 * time.Hour
)

// uploadPath is where the PreSignedUrls point: /_cognate/user-import/POOL/JOB.
const uploadPath = "/_cognate/user-import/"

// Service serves the user import job operations.
type Service struct {
	ops.Deps
	// BaseURL returns the server's public base URL, which the PreSignedUrls
	// start with.
	BaseURL func() string
	// Runner runs the started jobs.
	Runner *Runner
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpCreateUserImportJob, s.CreateUserImportJob)
	awsjson.Handle(m, model.OpStartUserImportJob, s.StartUserImportJob)
	awsjson.Handle(m, model.OpStopUserImportJob, s.StopUserImportJob)
	awsjson.Handle(m, model.OpDescribeUserImportJob, s.DescribeUserImportJob)
	awsjson.Handle(m, model.OpListUserImportJobs, s.ListUserImportJobs)
}

func uploadKeyAAD(id string) []byte { return []byte("user import upload|" + id) }

// presignedURL returns the job's upload URL, signed at t.
func (s *Service) presignedURL(j *store.ImportJob, t time.Time) (string, error) {
	key, err := s.Keys.Open(j.UploadKey, uploadKeyAAD(j.ID))
	if err != nil {
		return "", fmt.Errorf("open upload key: %w", err)
	}
	date := t.UTC().Format("20060102T150405Z")
	q := url.Values{}
	q.Set("X-Amz-Date", date)
	q.Set("X-Amz-Expires", fmt.Sprint(int(URLValidity/time.Second)))
	q.Set("X-Amz-Signature", signature(key, j.PoolID, j.ID, date))
	return s.BaseURL() + uploadPath + url.PathEscape(j.PoolID) + "/" + url.PathEscape(j.ID) + "?" + q.Encode(), nil
}

// signature is the HMAC of the upload URL's pool, job and date.
func signature(key []byte, poolID, jobID, date string) string {
	mac := hmac.New(sha256.New, key)
	io.WriteString(mac, poolID+"\n"+jobID+"\n"+date)
	return hex.EncodeToString(mac.Sum(nil))
}

// status is a job's status as the operations report it: a job never
// started becomes Expired after ExpireAfter.
func (s *Service) status(j *store.ImportJob) string {
	if j.Status == StatusCreated && s.Now().Sub(j.CreatedAt) > ExpireAfter {
		return StatusExpired
	}
	return j.Status
}

// wire is a job as the API reports it.
func (s *Service) wire(j *store.ImportJob) (*model.UserImportJobType, error) {
	out := &model.UserImportJobType{
		JobId: j.ID, JobName: j.Name, UserPoolId: j.PoolID, CloudWatchLogsRoleArn: j.RoleARN, Status: s.status(j),
		CreationDate: model.NewTime(j.CreatedAt), ImportedUsers: &j.Imported, SkippedUsers: &j.Skipped, FailedUsers: &j.Failed,
		CompletionMessage: j.Message,
	}
	if !j.StartedAt.IsZero() {
		out.StartDate = model.NewTime(j.StartedAt)
	}
	if !j.CompletedAt.IsZero() {
		out.CompletionDate = model.NewTime(j.CompletedAt)
	}
	u, err := s.presignedURL(j, j.CreatedAt)
	if err != nil {
		return nil, err
	}
	out.PreSignedUrl = u
	return out, nil
}

// errJobNotFound is the error for a job the pool does not have.
func errJobNotFound(id string) error {
	return &model.ResourceNotFoundException{Message: fmt.Sprintf("Import job %s does not exist.", id)}
}

// get loads a job of a pool that exists.
func (s *Service) get(ctx context.Context, poolID, id string) (*store.ImportJob, error) {
	if _, err := s.Pools.Load(ctx, s.Store, poolID); err != nil {
		return nil, err
	}
	j, err := s.Store.GetImportJob(ctx, poolID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errJobNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("get import job: %w", err)
	}
	return j, nil
}

// CreateUserImportJob creates a job in Created status with the URL its
// CSV file is uploaded to.
func (s *Service) CreateUserImportJob(ctx context.Context, in *model.CreateUserImportJobRequest) (*model.CreateUserImportJobResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	suffix, err := s.IDs.Token(10)
	if err != nil {
		return nil, err
	}
	id := "import-" + suffix
	key := make([]byte, 32)
	if _, err := io.ReadFull(s.Rand, key); err != nil {
		return nil, fmt.Errorf("draw upload key: %w", err)
	}
	sealed, err := s.Keys.Seal(key, uploadKeyAAD(id))
	if err != nil {
		return nil, fmt.Errorf("seal upload key: %w", err)
	}
	j := &store.ImportJob{PoolID: in.UserPoolId, ID: id, Name: in.JobName, Status: StatusCreated, RoleARN: in.CloudWatchLogsRoleArn,
		UploadKey: sealed, CreatedAt: s.Now()}
	if err := s.Store.CreateImportJob(ctx, j); err != nil {
		return nil, fmt.Errorf("create import job: %w", err)
	}
	out, err := s.wire(j)
	if err != nil {
		return nil, err
	}
	return &model.CreateUserImportJobResponse{UserImportJob: out}, nil
}

// DescribeUserImportJob returns a job.
func (s *Service) DescribeUserImportJob(ctx context.Context, in *model.DescribeUserImportJobRequest) (*model.DescribeUserImportJobResponse, error) {
	j, err := s.get(ctx, in.UserPoolId, in.JobId)
	if err != nil {
		return nil, err
	}
	out, err := s.wire(j)
	if err != nil {
		return nil, err
	}
	return &model.DescribeUserImportJobResponse{UserImportJob: out}, nil
}

// ListUserImportJobs lists a pool's jobs a page at a time.
func (s *Service) ListUserImportJobs(ctx context.Context, in *model.ListUserImportJobsRequest) (*model.ListUserImportJobsResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	limit := 60
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	list, next, err := s.Store.ListImportJobs(ctx, in.UserPoolId, store.Page{Cursor: in.PaginationToken, Limit: limit})
	if errors.Is(err, store.ErrBadCursor) {
		return nil, &model.InvalidParameterException{Message: "Invalid PaginationToken."}
	}
	if err != nil {
		return nil, fmt.Errorf("list import jobs: %w", err)
	}
	out := &model.ListUserImportJobsResponse{UserImportJobs: []model.UserImportJobType{}, PaginationToken: next}
	for i := range list {
		w, err := s.wire(&list[i])
		if err != nil {
			return nil, err
		}
		out.UserImportJobs = append(out.UserImportJobs, *w)
	}
	return out, nil
}

// StartUserImportJob starts a job in Created status: it becomes Pending
// and the runner imports its file.
func (s *Service) StartUserImportJob(ctx context.Context, in *model.StartUserImportJobRequest) (*model.StartUserImportJobResponse, error) {
	if _, err := s.get(ctx, in.UserPoolId, in.JobId); err != nil {
		return nil, err
	}
	now := s.Now()
	j, err := s.Store.UpdateImportJob(ctx, in.UserPoolId, in.JobId, func(j *store.ImportJob) error {
		if st := s.status(j); st != StatusCreated {
			return &model.InvalidParameterException{Message: fmt.Sprintf("Import job %s cannot be started: its status is %s.", j.ID, st)}
		}
		j.Status, j.StartedAt = StatusPending, now
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Runner.Run(j.PoolID, j.ID)
	out, err := s.wire(j)
	if err != nil {
		return nil, err
	}
	return &model.StartUserImportJobResponse{UserImportJob: out}, nil
}

// StopUserImportJob stops a Pending or InProgress job: it is Stopping
// until the runner has finished the rows it is importing, then Stopped.
func (s *Service) StopUserImportJob(ctx context.Context, in *model.StopUserImportJobRequest) (*model.StopUserImportJobResponse, error) {
	if _, err := s.get(ctx, in.UserPoolId, in.JobId); err != nil {
		return nil, err
	}
	j, err := s.Store.UpdateImportJob(ctx, in.UserPoolId, in.JobId, func(j *store.ImportJob) error {
		if j.Status != StatusPending && j.Status != StatusInProgress {
			return &model.InvalidParameterException{Message: fmt.Sprintf("Import job %s cannot be stopped: its status is %s.", j.ID, s.status(j))}
		}
		j.Status = StatusStopping
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := s.wire(j)
	if err != nil {
		return nil, err
	}
	return &model.StopUserImportJobResponse{UserImportJob: out}, nil
}
