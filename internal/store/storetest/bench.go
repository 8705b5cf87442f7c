package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/cputime"
	"github.com/cognate-idp/cognate/internal/store"
)

// RunBenchmarks measures s: creating users in transactions of 1,000 (the way
// a bulk import or a load tool seeds a pool), then GetUser and FindUsers by
// email on a pool of 10,000 users, and the two writes of every password
// sign-in: UpdateUser (the guess counter's reservation and clearing) and
// CreateRefreshToken. Each reports its CPU time per operation as cpu-ns/op.
// s must be empty.
func RunBenchmarks(b *testing.B, s store.Store) {
	ctx := b.Context()
	b.Run("CreateUser1000PerTx", func(b *testing.B) {
		pool := fmt.Sprintf("bench_create%d", b.N)
		if err := s.CreatePool(ctx, &store.Pool{ID: pool, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		defer cputime.Report(b)()
		b.ResetTimer()
		for done := 0; done < b.N; {
			batch := min(1000, b.N-done)
			err := s.Tx(ctx, func(tx store.Store) error {
				for i := done; i < done+batch; i++ {
					if err := tx.CreateUser(ctx, benchUser(pool, i)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			done += batch
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "users/s")
	})

	const n = 10000
	const pool = "bench_read"
	if err := s.CreatePool(ctx, &store.Pool{ID: pool, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		b.Fatal(err)
	}
	err := s.Tx(ctx, func(tx store.Store) error {
		for i := range n {
			if err := tx.CreateUser(ctx, benchUser(pool, i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("GetUser", func(b *testing.B) {
		defer cputime.Report(b)()
		i := 0
		for b.Loop() {
			if _, err := s.GetUser(ctx, pool, benchUser(pool, i*7919%n).Key); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("FindUsersByEmail", func(b *testing.B) {
		defer cputime.Report(b)()
		i := 0
		for b.Loop() {
			u := benchUser(pool, i*7919%n)
			us, _, err := s.FindUsers(ctx, pool, store.UserFilter{Field: "email", Value: u.Attributes["email"]}, store.Page{Limit: 60})
			if err != nil || len(us) != 1 {
				b.Fatalf("FindUsers: %d users, %v", len(us), err)
			}
			i++
		}
	})
	b.Run("UpdateUser", func(b *testing.B) {
		defer cputime.Report(b)()
		i := 0
		for b.Loop() {
			_, err := s.UpdateUser(ctx, pool, benchUser(pool, i*7919%n).Key, func(u *store.User) error {
				u.State = fmt.Appendf(u.State[:0], `{"failures":%d}`, i%5)
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	tokens := 0 // across runs, so that IDs stay unique
	b.Run("CreateRefreshToken", func(b *testing.B) {
		defer cputime.Report(b)()
		for b.Loop() {
			i := tokens
			u := benchUser(pool, i*7919%n)
			id := fmt.Sprintf("bench-token-%d", i)
			err := s.CreateRefreshToken(ctx, &store.RefreshToken{ID: id, Family: id, PoolID: pool, ClientID: "client", Sub: u.Sub,
				AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour)})
			if err != nil {
				b.Fatal(err)
			}
			tokens++
		}
	})
	b.Run("FindUsersByEmailPrefix", func(b *testing.B) {
		defer cputime.Report(b)()
		i := 0
		for b.Loop() {
			prefix := fmt.Sprintf("user%06d", i%1000)
			us, _, err := s.FindUsers(ctx, pool, store.UserFilter{Field: "email", Prefix: true, Value: prefix}, store.Page{Limit: 60})
			if err != nil || len(us) != 10 {
				b.Fatalf("FindUsers: %d users, %v", len(us), err)
			}
			i++
		}
	})
}

// benchUser is user i of a benchmark pool: realistic sizes, three indexed
// attributes, two aliases and a password.
func benchUser(pool string, i int) *store.User {
	key := fmt.Sprintf("user%07d", i)
	sub := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
	email := fmt.Sprintf("user%07d@example.com", i)
	phone := fmt.Sprintf("+1555%07d", i)
	return &store.User{
		PoolID:   pool,
		Username: key,
		Key:      key,
		Sub:      sub,
		Status:   "CONFIRMED",
		Enabled:  true,
		Attributes: map[string]string{
			"sub": sub, "email": email, "email_verified": "true", "phone_number": phone, "given_name": "Bench",
		},
		Aliases:       []string{"email:" + email, "phone_number:" + phone},
		Password:      make([]byte, 120),
		PasswordSetAt: t0,
		CreatedAt:     t0,
		UpdatedAt:     t0,
	}
}
