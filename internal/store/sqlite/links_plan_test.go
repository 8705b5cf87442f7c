package sqlite

import (
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/store/sqlstore"
)

// TestFederationPlans checks that the lookups of federated sign-in and of
// GetIdentityProviderByIdentifier are searches of a primary key, that a
// user's links are read through their index, and that the cascades of
// deleting a user, a provider or a pool are index searches.
func TestFederationPlans(t *testing.T) {
	s := open(t)
	sql := sqlstore.PlanStatements()
	for _, tc := range []struct {
		name, query string
		args        []any
		index       string // what the plan must use
	}{
		{"GetLink", sql["GetLink"], []any{"p", "Google", "Cognito_Subject", "123"},
			"PRIMARY KEY (pool=? AND provider=? AND attribute=? AND value=?)"},
		{"ListUserLinks", sql["ListUserLinks"], []any{"p", "sub"}, "INDEX provider_links_by_user (user_id=?)"},
		{"GetIdentityProviderByIdentifier", sql["GetIdentityProviderByIdentifier"], []any{"p", "example.com"}, "PRIMARY KEY (pool=? AND identifier=?)"},
		// What the foreign keys' ON DELETE CASCADE looks up.
		{"user cascade to links", "DELETE FROM provider_links WHERE user_id = ?", []any{1}, "INDEX provider_links_by_user (user_id=?)"},
		{"pool cascade to links", "DELETE FROM provider_links WHERE pool = ?", []any{1}, "PRIMARY KEY (pool=?)"},
		{"pool cascade to providers", "DELETE FROM identity_providers WHERE pool = ?", []any{1}, "PRIMARY KEY (pool=?)"},
		{"provider cascade to identifiers", "DELETE FROM idp_identifiers WHERE pool = ? AND provider = ?", []any{1, "Okta"},
			"INDEX idp_identifiers_by_provider (pool=? AND provider=?)"},
	} {
		plan := explain(t, s, tc.query, tc.args...)
		if !strings.Contains(plan, tc.index) || strings.Contains(plan, "SCAN ") {
			t.Errorf("%s: the plan is not a search of %s:\n%s\n%s", tc.name, tc.index, tc.query, plan)
		}
	}
	// GetLink reads provider_links alone: no join.
	if plan := explain(t, s, sql["GetLink"], "p", "Google", "Cognito_Subject", "123"); strings.Contains(plan, "users") {
		t.Errorf("GetLink reads more than provider_links:\n%s", plan)
	}
}
