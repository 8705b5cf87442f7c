package sqlstore

import (
	"context"
	"time"
)

// SpendSAMLAssertion implements store.SAMLAssertions: the primary key
// (pool, id) makes a second insert of the same assertion a conflict.
func (s *Store) SpendSAMLAssertion(ctx context.Context, poolID, id string, expiresAt time.Time) error {
	err := changed(s.c.Exec(ctx, `INSERT INTO saml_assertions (pool, id, expires_at)
		SELECT pk, $2, $3 FROM pools WHERE id = $1`, poolID, id, s.t(expiresAt)))
	if err != nil {
		return s.errorf("spend SAML assertion", s.mapErr(err))
	}
	return nil
}

// DeleteExpiredSAMLAssertions implements store.SAMLAssertions.
func (s *Store) DeleteExpiredSAMLAssertions(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.deleteExpired(ctx, "saml_assertions", now)
	if err != nil {
		return 0, s.errorf("delete expired SAML assertions", err)
	}
	return n, nil
}
