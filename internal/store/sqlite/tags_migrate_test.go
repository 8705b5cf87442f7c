package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMigrateTagsFromSettings seeds a database at schema version 4 whose
// pools keep their tags in the settings document, and checks that 0005
// moves them to the tags table and out of the document.
func TestMigrateTagsFromSettings(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	seed := []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT`}
	for _, m := range ms[:4] {
		seed = append(seed, m.SQL, fmt.Sprintf("INSERT INTO schema_migrations VALUES (%d, '%s')", m.Version, m.Name))
	}
	seed = append(seed, `INSERT INTO pools (pk, id, name, config, created_at, updated_at) VALUES
		(1, 'us-east-1_tagged', 'tagged', CAST('{"MfaConfiguration":"OFF","UserPoolTags":{"team":"id","env":""}}' AS BLOB), 0, 0),
		(2, 'us-east-1_plain', 'plain', CAST('{"MfaConfiguration":"ON"}' AS BLOB), 0, 0),
		(3, 'us-east-1_null', 'null', NULL, 0, 0)`)
	for _, q := range seed {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("seed version 4: %v", err)
		}
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, want := range map[string]map[string]string{
		"us-east-1_tagged": {"team": "id", "env": ""},
		"us-east-1_plain":  {},
		"us-east-1_null":   {},
	} {
		got, err := s.GetTags(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("tags of %s after migration (-want +got):\n%s", id, d)
		}
	}
	for id, want := range map[string]map[string]any{
		"us-east-1_tagged": {"MfaConfiguration": "OFF"},
		"us-east-1_plain":  {"MfaConfiguration": "ON"},
	} {
		p, err := s.GetPool(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(p.Config, &got); err != nil {
			t.Fatalf("settings of %s after migration: %v", id, err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("settings of %s after migration (-want +got):\n%s", id, d)
		}
	}
}
