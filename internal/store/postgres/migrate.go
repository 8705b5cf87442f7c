package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations returns the embedded migrations in order.
func migrations() ([]store.Migration, error) { return store.ReadMigrations(migrationFiles) }

// migrationLock is the pg_advisory_xact_lock key that serializes migrations
// across processes.
const migrationLock = 0x636f676e617465 // "cognate"

// errUpToDate ends the migration loop.
var errUpToDate = errors.New("schema up to date")

// migrate applies the migrations the database has not seen, each in one
// transaction holding the advisory lock, and records them in
// schema_migrations. It refuses a database that a newer build has migrated
// further.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	for {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return migrateOne(ctx, tx, ms) })
		if errors.Is(err, errUpToDate) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
}

// migrateOne applies the first migration the database has not seen, or
// returns errUpToDate.
func migrateOne(ctx context.Context, tx pgx.Tx, ms []store.Migration) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY,
		name    text NOT NULL
	)`); err != nil {
		return err
	}
	var current int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("the database is at schema version %d, newer than this build's %d", current, len(ms))
	}
	if current == len(ms) {
		return errUpToDate
	}
	m := ms[current]
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return fmt.Errorf("%04d_%s: %w", m.Version, m.Name, err)
	}
	_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
	return err
}
