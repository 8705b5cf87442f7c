// Package benchseed fills a user pool with many users by writing them
// straight into the store, for the manual large-pool benchmark (one million
// users would take hours through AdminCreateUser, whose SRP verifier costs a
// 3072-bit exponentiation per user). Seeded users are CONFIRMED, have no
// password, and carry email, given_name, family_name and name attributes.
package benchseed

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/cognate-idp/cognate/internal/bench"
	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/ids"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

var givenNames = []string{"Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jon", "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya"}
var familyNames = []string{"Reddy", "Smith", "Garcia", "Kim", "Okafor", "Novak", "Silva", "Tanaka", "Müller", "Haddad"}

// Seed creates a pool named name and n users in it, batch users per
// transaction, and returns the pool ID.
func Seed(ctx context.Context, st store.Store, gen ids.Generator, region, name string, n, batch int, progress func(done int)) (string, error) {
	settings, err := userpool.NewSettings(&model.CreateUserPoolRequest{PoolName: name})
	if err != nil {
		return "", err
	}
	cfg, err := userpool.Encode(settings)
	if err != nil {
		return "", err
	}
	id, err := gen.PoolID(region)
	if err != nil {
		return "", err
	}
	now := time.Now()
	if err := st.CreatePool(ctx, &store.Pool{ID: id, Name: name, Config: cfg, CreatedAt: now, UpdatedAt: now}); err != nil {
		return "", fmt.Errorf("create pool: %w", err)
	}
	p, err := userpool.Load(ctx, st, id)
	if err != nil {
		return "", err
	}
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		err := st.Tx(ctx, func(tx store.Store) error {
			for i := start; i < end; i++ {
				username := fmt.Sprintf("user%07d", i)
				given, family := givenNames[i%len(givenNames)], familyNames[(i/len(givenNames))%len(familyNames)]
				u, err := p.NewUser(userpool.NewUser{Username: username, Status: model.UserStatusTypeConfirmed, Attributes: map[string]string{
					"email": username + "@example.com", "email_verified": "true",
					"given_name": given, "family_name": family, "name": given + " " + family,
				}}, userpool.Minter{IDs: gen, Now: now})
				if err != nil {
					return err
				}
				if err := tx.CreateUser(ctx, u); err != nil {
					return fmt.Errorf("create user %s: %w", username, err)
				}
			}
			return nil
		})
		if err != nil {
			return "", err
		}
		if progress != nil {
			progress(end)
		}
	}
	return id, nil
}

// Main runs `cognate-bench seed-users`: --db names the store (as for serve), --users
// how many users to create. It prints the pool ID, the seed time and rate,
// and for SQLite the database size per user.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cognate-bench seed-users", flag.ContinueOnError)
	db := fs.String("db", "./cognate.db", "SQLite file or postgres:// URL")
	n := fs.Int("users", 1000000, "users to create")
	batch := fs.Int("batch", 2000, "users per transaction")
	region := fs.String("region", "us-east-1", "region of the new pool's ID")
	name := fs.String("pool-name", "seeded", "name of the new pool")
	if err := bench.ParseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *n < 1 || *batch < 1 {
		return fmt.Errorf("--users and --batch must be positive")
	}
	cfg := &config.Config{DB: *db, Region: *region}
	st, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	last := start
	id, err := Seed(ctx, st, ids.Generator{Rand: cryptoRand}, *region, *name, *n, *batch, func(done int) {
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			slog.New(slog.NewTextHandler(stderr, nil)).Info("seeding", "users", done, "elapsed", time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "pool %s\nseeded %d users in %s (%.0f users/s)\n", id, *n, took.Round(time.Millisecond), float64(*n)/took.Seconds())
	if !cfg.Postgres() {
		var size int64
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(*db + suffix); err == nil {
				size += fi.Size()
			}
		}
		fmt.Fprintf(stdout, "database size %d bytes (%.0f bytes per user, whole file)\n", size, float64(size)/float64(*n))
	}
	return nil
}

var cryptoRand = rand.Reader
