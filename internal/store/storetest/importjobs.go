package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func importJob(pool, id string) *store.ImportJob {
	return &store.ImportJob{PoolID: pool, ID: id, Name: "job " + id, Status: "Created", RoleARN: "arn:aws:iam::123456789012:role/import",
		UploadKey: []byte{1, 2, 3}, CreatedAt: t0}
}

func testImportJobs(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-north-1_import")
	other := newPool(t, s, "eu-north-1_importother")
	noErr(t, s.CreateImportJob(ctx, importJob(p.ID, "import-b")), "CreateImportJob")
	noErr(t, s.CreateImportJob(ctx, importJob(p.ID, "import-a")), "CreateImportJob a")
	noErr(t, s.CreateImportJob(ctx, importJob(other.ID, "import-o")), "CreateImportJob other pool")
	wantErr(t, s.CreateImportJob(ctx, importJob(other.ID, "import-a")), store.ErrConflict, "CreateImportJob with a taken ID")
	wantErr(t, s.CreateImportJob(ctx, importJob("eu-north-1_none", "import-x")), store.ErrNotFound, "CreateImportJob in a missing pool")

	want := importJob(p.ID, "import-b")
	want.CreatedAt = micro(t0)
	got, err := s.GetImportJob(ctx, p.ID, "import-b")
	noErr(t, err, "GetImportJob")
	mustDiff(t, "GetImportJob", want, got)
	_, err = s.GetImportJob(ctx, other.ID, "import-b")
	wantErr(t, err, store.ErrNotFound, "GetImportJob through another pool")

	got, err = s.UpdateImportJob(ctx, p.ID, "import-b", func(j *store.ImportJob) error {
		j.Status, j.StartedAt, j.Imported, j.Skipped, j.Failed, j.Message = "InProgress", at(1), 3, 2, 1, "m"
		j.Uploaded, j.Done, j.Line = 100, 50, 4
		j.PoolID, j.ID, j.CreatedAt = other.ID, "changed", at(9) // ignored
		return nil
	})
	noErr(t, err, "UpdateImportJob")
	want.Status, want.StartedAt, want.Imported, want.Skipped, want.Failed, want.Message = "InProgress", micro(at(1)), 3, 2, 1, "m"
	want.Uploaded, want.Done, want.Line = 100, 50, 4
	mustDiff(t, "UpdateImportJob result", want, got)
	got, _ = s.GetImportJob(ctx, p.ID, "import-b")
	mustDiff(t, "GetImportJob after update", want, got)

	list, next, err := s.ListImportJobs(ctx, p.ID, store.Page{Limit: 1})
	noErr(t, err, "ListImportJobs")
	if len(list) != 1 || list[0].ID != "import-a" || next == "" {
		t.Fatalf("ListImportJobs page 1: %v %q", list, next)
	}
	list, next, err = s.ListImportJobs(ctx, p.ID, store.Page{Limit: 1, Cursor: next})
	noErr(t, err, "ListImportJobs page 2")
	if len(list) != 1 || list[0].ID != "import-b" || next != "" {
		t.Fatalf("ListImportJobs page 2: %v %q", list, next)
	}
	active, err := s.ListActiveImportJobs(ctx, []string{"InProgress", "Pending"})
	noErr(t, err, "ListActiveImportJobs")
	if len(active) != 1 || active[0].ID != "import-b" || active[0].PoolID != p.ID {
		t.Fatalf("ListActiveImportJobs: %v", active)
	}

	noErr(t, s.PutImportChunk(ctx, "import-b", 0, []byte("first")), "PutImportChunk 0")
	noErr(t, s.PutImportChunk(ctx, "import-b", 1, []byte("second")), "PutImportChunk 1")
	noErr(t, s.PutImportChunk(ctx, "import-b", 1, []byte("again")), "PutImportChunk 1 again")
	wantErr(t, s.PutImportChunk(ctx, "import-none", 0, []byte("x")), store.ErrNotFound, "PutImportChunk of a missing job")
	c, err := s.GetImportChunk(ctx, "import-b", 1)
	noErr(t, err, "GetImportChunk")
	if string(c) != "again" {
		t.Errorf("chunk 1 = %q", c)
	}
	_, err = s.GetImportChunk(ctx, "import-b", 2)
	wantErr(t, err, store.ErrNotFound, "GetImportChunk past the end")

	noErr(t, s.AddImportResults(ctx, "import-b", []store.ImportResult{{Line: 2, Username: "a", Outcome: "IMPORTED"}, {Line: 3, Username: "b", Outcome: "SKIPPED", Message: "exists"}}), "AddImportResults")
	noErr(t, s.AddImportResults(ctx, "import-b", []store.ImportResult{{Line: 3, Username: "b", Outcome: "FAILED", Message: "again"}, {Line: 4, Username: "c", Outcome: "IMPORTED"}}), "AddImportResults again")
	res, next, err := s.ListImportResults(ctx, "import-b", store.Page{Limit: 2})
	noErr(t, err, "ListImportResults")
	mustDiff(t, "ListImportResults page 1", []store.ImportResult{{Line: 2, Username: "a", Outcome: "IMPORTED"}, {Line: 3, Username: "b", Outcome: "FAILED", Message: "again"}}, res)
	res, next, err = s.ListImportResults(ctx, "import-b", store.Page{Limit: 2, Cursor: next})
	noErr(t, err, "ListImportResults page 2")
	if len(res) != 1 || res[0].Line != 4 || next != "" {
		t.Fatalf("ListImportResults page 2: %v %q", res, next)
	}

	noErr(t, s.DeleteImportChunks(ctx, "import-b"), "DeleteImportChunks")
	_, err = s.GetImportChunk(ctx, "import-b", 0)
	wantErr(t, err, store.ErrNotFound, "GetImportChunk after DeleteImportChunks")

	// Jobs, their files and results go with their pool.
	noErr(t, s.PutImportChunk(ctx, "import-a", 0, []byte("x")), "PutImportChunk a")
	noErr(t, s.DeletePool(ctx, p.ID), "DeletePool")
	_, err = s.GetImportChunk(ctx, "import-a", 0)
	wantErr(t, err, store.ErrNotFound, "GetImportChunk after DeletePool")
	res, _, err = s.ListImportResults(ctx, "import-b", store.Page{Limit: 10})
	noErr(t, err, "ListImportResults after DeletePool")
	if len(res) != 0 {
		t.Errorf("results after DeletePool: %v", res)
	}
}
