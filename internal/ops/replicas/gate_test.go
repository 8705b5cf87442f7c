package replicas

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
)

// clientCounter is a real store that counts client reads by ID.
type clientCounter struct {
	store.Store
	reads int
}

func (s *clientCounter) GetClientByID(ctx context.Context, id string) (*store.Client, error) {
	s.reads++
	return s.Store.GetClientByID(ctx, id)
}

// The Gate finds the pool of a ClientId-only request in the store once,
// then from its memo, and still refuses what a secondary region must.
func TestGateRemembersClientPools(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Unix(1700000000, 0)
	const poolID, clientID = "us-east-1_gate", "gateclient"
	if err := db.CreatePool(ctx, &store.Pool{ID: poolID, Name: "p", Config: []byte("{}"), CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateClient(ctx, &store.Client{PoolID: poolID, ID: clientID, Name: "c", Config: []byte("{}"), CreatedAt: now, UpdatedAt: now}, 10); err != nil {
		t.Fatal(err)
	}
	st := &clientCounter{Store: db}
	// A region where the pool has no replica: the pool does not exist there.
	s := &Service{Deps: ops.Deps{Store: st, Region: "eu-west-1"}}
	for i := range 3 {
		err := s.Gate(ctx, model.OpSignUp, "", &model.SignUpRequest{ClientId: clientID, Username: "u"})
		if _, ok := err.(*model.ResourceNotFoundException); !ok {
			t.Fatalf("SignUp %d in a region without a replica: %v, want ResourceNotFoundException", i, err)
		}
	}
	if st.reads != 1 {
		t.Errorf("%d client reads for three requests, want 1", st.reads)
	}
	// In the primary region everything passes.
	s.Region = "us-east-1"
	if err := s.Gate(ctx, model.OpSignUp, "", &model.SignUpRequest{ClientId: clientID, Username: "u"}); err != nil {
		t.Errorf("SignUp in the primary region: %v", err)
	}
	// An unknown client is left to the handler, and not remembered.
	for range 2 {
		if err := s.Gate(ctx, model.OpSignUp, "", &model.SignUpRequest{ClientId: "nosuchclient", Username: "u"}); err != nil {
			t.Errorf("unknown client: %v", err)
		}
	}
	if st.reads != 3 {
		t.Errorf("%d client reads, want 3 (one more for each unknown client request)", st.reads)
	}
}
