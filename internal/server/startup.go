package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/cognate-idp/cognate/internal/config"
)

// CheckDB checks, before anything is made, that the SQLite database file the
// configuration names can be created or written, so that an unwritable
// directory is reported against the --db path the user gave rather than a
// key file or SQLite's "unable to open database file". It leaves nothing
// behind. PostgreSQL needs no check.
func CheckDB(cfg *config.Config) error {
	if cfg.Postgres() {
		return nil
	}
	f, err := os.OpenFile(cfg.DB, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	created := err == nil
	if errors.Is(err, fs.ErrExist) {
		f, err = os.OpenFile(cfg.DB, os.O_RDWR, 0)
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("--db %s: permission denied: cannot create or write the database file", cfg.DB)
	case err != nil:
		return fmt.Errorf("--db %s: %w", cfg.DB, errors.Unwrap(err))
	}
	f.Close()
	if created {
		os.Remove(cfg.DB)
	}
	return nil
}
