package importjobs

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userimport"
)

// RegisterHTTP mounts the upload of import files (PUT at the
// PreSignedUrl, as curl -T or an S3 client sends it) and each job's log
// of skipped and failed rows (GET .../log), which Cognito writes to
// CloudWatch Logs.
func (s *Service) RegisterHTTP(mux *http.ServeMux) {
	mux.HandleFunc("PUT "+uploadPath+"{pool}/{job}", s.upload)
	mux.HandleFunc("GET "+uploadPath+"{pool}/{job}/log", s.log)
}

// s3Error writes an error as S3 answers a presigned request.
func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>\n", code, msg)
}

// upload stores the CSV file of a job in Created status, replacing an
// earlier upload, after checking the URL's signature and expiry.
func (s *Service) upload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	poolID, jobID := r.PathValue("pool"), r.PathValue("job")
	j, err := s.Store.GetImportJob(ctx, poolID, jobID)
	if err != nil {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	key, err := s.Keys.Open(j.UploadKey, uploadKeyAAD(j.ID))
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	q := r.URL.Query()
	date := q.Get("X-Amz-Date")
	signed, derr := time.Parse("20060102T150405Z", date)
	if derr != nil || !hmac.Equal([]byte(q.Get("X-Amz-Signature")), []byte(signature(key, poolID, jobID, date))) ||
		q.Get("X-Amz-Expires") != strconv.Itoa(int(URLValidity/time.Second)) {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	if s.Now().After(signed.Add(URLValidity)) {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	if sse := r.Header.Get("X-Amz-Server-Side-Encryption"); sse != "" && sse != "aws:kms" && sse != "AES256" {
		s3Error(w, http.StatusBadRequest, "InvalidArgument", "The encryption method specified is not supported")
		return
	}
	if j.Status != StatusCreated {
		s3Error(w, http.StatusForbidden, "AccessDenied", "The import job has started; its file can no longer be changed.")
		return
	}
	if r.ContentLength > userimport.MaxFileSize {
		s3Error(w, http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
		return
	}
	if err := s.Store.DeleteImportChunks(ctx, jobID); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body := io.LimitReader(r.Body, userimport.MaxFileSize+1)
	buf := make([]byte, ChunkSize)
	var size int64
	for seq := int64(0); ; seq++ {
		n, err := io.ReadFull(body, buf)
		if n > 0 {
			size += int64(n)
			if size > userimport.MaxFileSize {
				_ = s.Store.DeleteImportChunks(ctx, jobID)
				s3Error(w, http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
				return
			}
			if perr := s.Store.PutImportChunk(ctx, jobID, seq, buf[:n]); perr != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			s3Error(w, http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
			return
		}
	}
	_, err = s.Store.UpdateImportJob(ctx, poolID, jobID, func(x *store.ImportJob) error {
		if x.Status != StatusCreated {
			return errors.New("started during the upload")
		}
		x.Uploaded = size
		return nil
	})
	if err != nil {
		s3Error(w, http.StatusConflict, "OperationAborted", "The import job started during the upload.")
		return
	}
	w.Header().Set("ETag", fmt.Sprintf("%q", jobID))
	w.WriteHeader(http.StatusOK)
}

// log writes a job's skipped and failed rows, one a line, in the form of
// Cognito's CloudWatch log: "[SKIPPED] Line Number 3 - The user already
// exists."
func (s *Service) log(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	poolID, jobID := r.PathValue("pool"), r.PathValue("job")
	if _, err := s.Store.GetImportJob(ctx, poolID, jobID); err != nil {
		http.Error(w, "import job not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	page := store.Page{Limit: 1000}
	for {
		list, next, err := s.Store.ListImportResults(ctx, jobID, page)
		if err != nil {
			return
		}
		for _, res := range list {
			fmt.Fprintf(w, "[%s] Line Number %d - %s\n", res.Outcome, res.Line, res.Message)
		}
		if next == "" {
			return
		}
		page.Cursor = next
	}
}
