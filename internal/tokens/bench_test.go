package tokens

import (
	"strconv"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// BenchmarkSign measures one RS256 signature of a token with Cognito-sized
// claims, keys cached: the cost Sign adds to an authentication.
func BenchmarkSign(b *testing.B) {
	s, _ := setup(b, sqliteDB(b), poolA)
	c := claims(poolA, AccessToken)
	c["client_id"] = "3n4b5urk1ft4fl3mg5e62d9ado"
	c["scope"] = "aws.cognito.signin.user.admin"
	c["username"] = "alice"
	c["jti"] = "8b0b7e0f-5a1c-4d3e-9f8a-1b2c3d4e5f60"
	c["origin_jti"] = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"
	c["event_id"] = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	c["cognito:groups"] = []string{"admins", "editors"}
	mustSign(b, s, poolA, AccessToken, c) // makes and caches the keys
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(ctx, poolA, AccessToken, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures Verify of such a token, keys cached.
func BenchmarkVerify(b *testing.B) {
	s, _ := setup(b, sqliteDB(b), poolA)
	token := mustSign(b, s, poolA, AccessToken, claims(poolA, AccessToken))
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(ctx, poolA, token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKeyGeneration measures making a pool's key set (two RSA-2048
// keys, sealed and stored): the one-time cost of a pool's first token.
func BenchmarkKeyGeneration(b *testing.B) {
	s, st := setup(b, sqliteDB(b))
	ctx := b.Context()
	i := 0
	for b.Loop() {
		i++
		pool := "us-east-1_Bench" + strconv.Itoa(i)
		b.StopTimer()
		if err := st.CreatePool(ctx, &store.Pool{ID: pool, CreatedAt: now, UpdatedAt: now}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.keySet(ctx, pool, true); err != nil {
			b.Fatal(err)
		}
	}
}
