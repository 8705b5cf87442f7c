package devmode

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
)

// DeleteAllPools deletes pools over several pages of the listing.
func TestDeleteAllPools(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	const pools = 130
	for i := range pools {
		p := &store.Pool{ID: fmt.Sprintf("us-east-1_pool%05d", i), Name: "p", Config: []byte("{}"), CreatedAt: now, UpdatedAt: now}
		if err := st.CreatePool(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	n, err := DeleteAllPools(ctx, st)
	if err != nil || n != pools {
		t.Fatalf("DeleteAllPools = %d, %v; want %d", n, err, pools)
	}
	left, _, err := st.ListPools(ctx, store.Page{Limit: 10})
	if err != nil || len(left) != 0 {
		t.Errorf("pools left: %v, %v", left, err)
	}
	if n, err := DeleteAllPools(ctx, st); err != nil || n != 0 {
		t.Errorf("on an empty store: %d, %v", n, err)
	}
}
