package postgres

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cognate-idp/cognate/internal/store/postgres/pgtesting"
)

// TestMigrateTagsFromSettings seeds a database at schema version 4 whose
// pools keep their tags in the settings document, and checks that 0005
// moves them to the tags table and out of the document.
func TestMigrateTagsFromSettings(t *testing.T) {
	ctx := t.Context()
	url := pgtesting.SchemaURL(t)
	conn, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	seed := []string{`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL)`}
	for _, m := range ms[:4] {
		seed = append(seed, m.SQL, fmt.Sprintf("INSERT INTO schema_migrations VALUES (%d, '%s')", m.Version, m.Name))
	}
	seed = append(seed, `INSERT INTO pools (id, name, config, created_at, updated_at) VALUES
		('us-east-1_tagged', 'tagged', convert_to('{"MfaConfiguration":"OFF","UserPoolTags":{"team":"id","env":""}}', 'UTF8'), now(), now()),
		('us-east-1_plain', 'plain', convert_to('{"MfaConfiguration":"ON"}', 'UTF8'), now(), now()),
		('us-east-1_null', 'null', NULL, now(), now())`)
	for _, q := range seed {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("seed version 4: %v", err)
		}
	}
	conn.Close()

	s, err := Open(ctx, url)
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
