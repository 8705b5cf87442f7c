package postgres

import (
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlstore"
)

// TestFederationPlans checks, on a pool of 5,000 users with two linked
// identities each and 500 identity providers with two identifiers each,
// that the lookup of federated sign-in (GetLink) and that of
// GetIdentityProviderByIdentifier read a primary key, that a user's links
// are read through their index, and that the cascades of deleting a user, a
// provider or a pool read an index.
func TestFederationPlans(t *testing.T) {
	s := open(t)
	sql := sqlstore.PlanStatements()
	ctx := t.Context()
	if err := s.CreatePool(ctx, &store.Pool{ID: "p"}); err != nil {
		t.Fatal(err)
	}
	// Rows made by SQL, not the store's methods, to keep the test fast.
	for _, q := range []string{
		`INSERT INTO users (pool, key, username, sub, status, enabled, attributes, aliases, created_at, updated_at)
			SELECT (SELECT pk FROM pools), 'user' || i, 'user' || i, md5(i::text), 'CONFIRMED', true,
				'{}', ARRAY[]::text[], now(), now()
			FROM generate_series(1, 5000) AS i`,
		`INSERT INTO provider_links (pool, provider, attribute, value, user_id, sub, is_primary, created_at)
			SELECT pool, (ARRAY['Google', 'Okta'])[k], 'Cognito_Subject', 'subject' || id, id, sub, false, now()
			FROM users, generate_series(1, 2) AS k`,
		`INSERT INTO identity_providers (pool, name, type, identifiers, created_at, updated_at)
			SELECT (SELECT pk FROM pools), 'idp' || i, 'OIDC', ARRAY['a' || i, 'b' || i], now(), now()
			FROM generate_series(1, 500) AS i`,
		`INSERT INTO idp_identifiers (pool, identifier, provider) SELECT pool, unnest(identifiers), name FROM identity_providers`,
		"ANALYZE",
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	sub := "a1d0c6e83f027327d8461063f4ac58a6" // md5("42")
	for _, tc := range []struct {
		name, query string
		args        []any
		index       string // what the plan must read
	}{
		{"GetLink", sql["GetLink"], []any{"p", "Google", "Cognito_Subject", "subject42"}, "provider_links_pkey"},
		{"ListUserLinks", sql["ListUserLinks"], []any{"p", sub}, "provider_links_by_user"},
		{"GetIdentityProviderByIdentifier", sql["GetIdentityProviderByIdentifier"], []any{"p", "a42"}, "idp_identifiers_pkey"},
		// What the foreign keys' ON DELETE CASCADE looks up.
		{"user cascade to links", "DELETE FROM provider_links WHERE user_id = $1", []any{42}, "provider_links_by_user"},
		{"pool cascade to links", "DELETE FROM provider_links WHERE pool = $1", []any{2}, "provider_links_pkey"},
		{"pool cascade to providers", "DELETE FROM identity_providers WHERE pool = $1", []any{2}, "identity_providers_pkey"},
		{"provider cascade to identifiers", "DELETE FROM idp_identifiers WHERE pool = $1 AND provider = $2", []any{1, "idp42"},
			"idp_identifiers_by_provider"},
	} {
		plan := explain(t, s, tc.query, tc.args...)
		if !strings.Contains(plan, tc.index) || strings.Contains(plan, "Seq Scan") {
			t.Errorf("%s: the plan does not read %s:\n%s\n%s", tc.name, tc.index, tc.query, plan)
		}
	}
	// GetLink reads provider_links alone: no join.
	if plan := explain(t, s, sql["GetLink"], "p", "Google", "Cognito_Subject", "subject42"); strings.Contains(plan, " on users") {
		t.Errorf("GetLink reads more than provider_links:\n%s", plan)
	}
}
