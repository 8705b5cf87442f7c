package store

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Migration is one numbered schema change of a backend: the file
// migrations/NNNN_name.sql of its embedded migrations.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ReadMigrations returns the migrations in fsys's migrations folder in
// order. Files are named NNNN_name.sql, numbered from 1 without gaps; any
// other name is an error.
func ReadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, path := range names { // fs.Glob sorts
		base := strings.TrimSuffix(strings.TrimPrefix(path, "migrations/"), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 || v != len(ms)+1 {
			return nil, fmt.Errorf("migration %s: want the name %04d_name.sql", path, len(ms)+1)
		}
		body, err := fs.ReadFile(fsys, path)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", path, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	return ms, nil
}
