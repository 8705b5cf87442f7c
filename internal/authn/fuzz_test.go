package authn

import (
	"strings"
	"testing"
)

// FuzzTokenPool feeds the unverified issuer parse of access tokens
// arbitrary input: it must never panic, and a pool ID it returns is the
// non-empty tail of a string claim.
func FuzzTokenPool(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjkyMjkvdXMtZWFzdC0xX2FiYyJ9.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		pool, ok := tokenPool(token)
		if ok && (pool == "" || strings.Contains(pool, "/")) {
			t.Fatalf("tokenPool(%q) = %q", token, pool)
		}
	})
}

// FuzzIdentitiesClaim checks that any identities attribute turns into a
// claim without panicking.
func FuzzIdentitiesClaim(f *testing.F) {
	f.Add(`[{"userId":"1","primary":true,"dateCreated":1}]`)
	f.Add(`[null, 1, "x"]`)
	f.Fuzz(func(t *testing.T, v string) {
		_ = identitiesClaim(v)
	})
}
