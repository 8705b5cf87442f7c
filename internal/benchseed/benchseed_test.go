package benchseed

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/store"
)

func TestSeedThenFind(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "seed.db")
	var out bytes.Buffer
	if err := Main(ctx, []string{"--db", db, "--users", "250", "--batch", "100"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "seeded 250 users") {
		t.Fatalf("output %q", out.String())
	}
	id := strings.Fields(strings.SplitN(out.String(), "\n", 2)[0])[1]
	st, err := server.OpenStore(ctx, &config.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.CountUsers(ctx, id); err != nil || n != 250 {
		t.Fatalf("CountUsers = %d, %v", n, err)
	}
	us, _, err := st.FindUsers(ctx, id, store.UserFilter{Field: "email", Value: "user0000123@example.com"}, store.Page{Limit: 10})
	if err != nil || len(us) != 1 || us[0].Username != "user0000123" {
		t.Fatalf("FindUsers = %+v, %v", us, err)
	}
	if u, err := st.GetUser(ctx, id, "user0000007"); err != nil || u.Status != "CONFIRMED" || u.Password != nil {
		t.Errorf("seeded user = %+v, %v", u, err)
	}
}
