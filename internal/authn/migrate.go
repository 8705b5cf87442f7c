package authn

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Trigger sources of the user migration trigger.
const (
	SourceMigrateSignIn = "UserMigration_Authentication"
	SourceMigrateForgot = "UserMigration_ForgotPassword"
)

// Migrate asks the pool's user migration trigger about name, a user the
// pool does not have, and stores the user it returns as a real one: with
// pw (a sign-in's password, never checked against the password policy, as
// Cognito does) as their password when they arrive CONFIRMED, in
// RESET_REQUIRED otherwise (and always from a forgotten password). It
// returns nil and no error when the pool has no such trigger or the
// function does not know the user either. A function that fails, or
// returns attributes the pool refuses, leaves the user unknown, as on
// Cognito ("Exception migrating user in app client ...").
func (s *Service) Migrate(ctx context.Context, p *userpool.Pool, clientID, name, pw, source string, metadata map[string]string) (*store.User, error) {
	lc := p.Settings.LambdaConfig
	if lc == nil || lc.UserMigration == "" {
		return nil, nil
	}
	ev := &triggers.Event{PoolID: p.ID, ClientID: clientID, Username: name, ClientMetadata: metadata, Source: source, Config: lc}
	m, ok, err := s.Triggers().MigrateUser(ctx, ev, pw)
	failed := &model.UserNotFoundException{Message: "Exception migrating user in app client " + clientID}
	var lv *model.UserLambdaValidationException
	if errors.As(err, &lv) {
		return nil, failed
	}
	if err != nil || !ok {
		return nil, err
	}
	attrs := maps.Clone(m.Attributes)
	delete(attrs, "sub")
	delete(attrs, "username")
	list := make([]model.AttributeType, 0, len(attrs))
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		list = append(list, model.AttributeType{Name: k, Value: attrs[k]})
	}
	if err := p.CheckAttributeValues(list, false); err != nil {
		return nil, failed
	}
	nu := userpool.NewUser{Username: name, Attributes: attrs, Status: model.UserStatusTypeResetRequired}
	if source == SourceMigrateSignIn && m.FinalUserStatus != model.UserStatusTypeResetRequired {
		nu.Status, nu.Password = model.UserStatusTypeConfirmed, pw
	}
	now := s.Now()
	u, err := p.NewUser(nu, userpool.Minter{Keys: s.Keys, IDs: s.IDs, Rand: s.Rand, Now: now})
	var ip *model.InvalidParameterException
	if errors.As(err, &ip) {
		return nil, failed
	}
	if err != nil {
		return nil, err
	}
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		if m.ForceAliasCreation {
			if err := p.TakeAliases(ctx, tx, u, now); err != nil {
				return err
			}
		}
		switch err := tx.CreateUser(ctx, u); {
		case errors.Is(err, store.ErrConflict):
			return &model.UsernameExistsException{Message: "User account already exists"}
		case errors.Is(err, store.ErrAliasConflict):
			return &model.AliasExistsException{Message: "An account with the given email already exists."}
		case errors.Is(err, store.ErrNotFound):
			return userpool.NotFound(p.ID)
		case err != nil:
			return fmt.Errorf("create migrated user: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
