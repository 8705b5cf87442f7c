package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Custom message trigger sources of the codes these operations send.
const (
	sourceUpdate = "CustomMessage_UpdateUserAttribute"
	sourceVerify = "CustomMessage_VerifyUserAttribute"
)

// errUnauthorizedAttribute is Cognito's error for an attribute the
// caller's app client may not write (the verified flags never are).
func errUnauthorizedAttribute() error {
	return &model.NotAuthorizedException{Message: "A client attempted to write unauthorized attribute"}
}

func invalid(format string, args ...any) error {
	return &model.InvalidParameterException{Message: fmt.Sprintf(format, args...)}
}

func errAliasExists(attr string) error {
	return &model.AliasExistsException{Message: fmt.Sprintf("An account with the given %s already exists.", attr)}
}

// errNotVerifiable is Cognito's error for verifying an attribute other
// than email and phone_number.
func errNotVerifiable() error {
	return invalid("Invalid attribute name. Only phone_number and email can be verified.")
}

// verifiable reports whether attr is verified with a code: email or
// phone_number.
func verifiable(attr string) bool { return attr == "email" || attr == "phone_number" }

// writable reports whether the caller's client may write attr.
func (c *caller) writable(attr string) bool {
	return attr != "email_verified" && attr != "phone_number_verified" && c.Client.CanWrite(attr)
}

// keepsOriginal reports whether the pool keeps an attribute's verified
// value until the user verifies a new one
// (AttributesRequireVerificationBeforeUpdate).
func keepsOriginal(p *userpool.Pool, attr string) bool {
	us := p.Settings.UserAttributeUpdateSettings
	return us != nil && slices.Contains(us.AttributesRequireVerificationBeforeUpdate, attr)
}

// autoVerified reports whether the pool sends a code when attr changes.
func autoVerified(p *userpool.Pool, attr string) bool {
	return slices.Contains(p.Settings.AutoVerifiedAttributes, attr)
}

// aliasAttr names the attribute of an alias key ("email:a@b" is email).
func aliasAttr(alias string) string {
	attr, _, _ := strings.Cut(alias, ":")
	return attr
}

// aliasConflict returns the AliasExistsException for the first of aliases
// that a user other than sub holds, after the store refused them.
func (s *Service) aliasConflict(ctx context.Context, poolID, sub string, aliases []string) error {
	for _, a := range aliases {
		holder, err := s.Store.GetUserByAlias(ctx, poolID, a)
		if err == nil && holder.Sub != sub {
			return errAliasExists(aliasAttr(a))
		}
	}
	return errAliasExists("email")
}

// dropCode forgets the user's code for verifying attr, so that a code sent
// for an earlier value cannot verify a new one.
func dropCode(ctx context.Context, tx store.Store, u *store.User, attr string) error {
	err := tx.DeleteCode(ctx, u.PoolID, u.Sub, authn.PurposeVerify(attr))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("drop verification code: %w", err)
	}
	return nil
}

// UpdateUserAttributes sets attributes of the caller; a blank value
// removes the attribute. A changed email or phone number is no longer
// verified, and a code is sent to it when the pool verifies it
// automatically. When the pool requires verification before the update,
// the verified value stays in place and the new one waits for
// VerifyUserAttribute.
func (s *Service) UpdateUserAttributes(ctx context.Context, in *model.UpdateUserAttributesRequest) (*model.UpdateUserAttributesResponse, error) {
	c, err := s.authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	p := c.Pool
	var set []model.AttributeType
	var clear []string
	seen := map[string]bool{}
	for _, a := range in.UserAttributes {
		if seen[a.Name] {
			return nil, invalid("Duplicate attribute %s in the request.", a.Name)
		}
		seen[a.Name] = true
		if a.Value == "" {
			clear = append(clear, a.Name)
		} else {
			set = append(set, a)
		}
	}
	if err := p.CheckAttributeValues(set, true); err != nil {
		return nil, err
	}
	if err := p.CheckDeletable(clear); err != nil {
		return nil, err
	}
	for _, a := range in.UserAttributes {
		if !c.writable(a.Name) {
			return nil, errUnauthorizedAttribute()
		}
	}
	for _, n := range clear {
		if slices.Contains(p.UsernameAttributes(), n) {
			return nil, invalid("Cannot remove %s: it is the user's sign-in name.", n)
		}
	}

	type delivery struct{ attr, dest string }
	var sends []delivery
	var touched, aliases []string
	now := s.Now()
	var details []model.CodeDeliveryDetailsType
	var outgoing []*authn.Outgoing
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		details, outgoing = nil, nil
		// A new value of a sign-in attribute that waits for verification
		// must still be free when it is verified.
		for _, a := range set {
			if !verifiable(a.Name) || !keepsOriginal(p, a.Name) || !slices.Contains(p.UsernameAttributes(), a.Name) {
				continue
			}
			for _, alias := range p.Aliases(map[string]string{a.Name: a.Value}) {
				holder, err := tx.GetUserByAlias(ctx, p.ID, alias)
				if err == nil && holder.Sub != c.User.Sub {
					return errAliasExists(a.Name)
				}
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("look up alias: %w", err)
				}
			}
		}
		sends, touched, details = nil, nil, nil
		out, err := s.Auth.EditState(ctx, tx, c.User, func(u *store.User, st *authn.State) error {
			sends, touched = nil, nil
			for _, n := range clear {
				delete(u.Attributes, n)
				if verifiable(n) {
					delete(u.Attributes, n+"_verified")
					delete(st.Pending, n)
					touched = append(touched, n)
				}
			}
			for _, a := range set {
				if !verifiable(a.Name) {
					u.Attributes[a.Name] = a.Value
					continue
				}
				touched = append(touched, a.Name)
				cur := u.Attributes[a.Name]
				switch {
				case cur == a.Value:
					// Back to the current value: no update waits any more.
					delete(st.Pending, a.Name)
				case cur != "" && keepsOriginal(p, a.Name):
					if st.Pending == nil {
						st.Pending = map[string]string{}
					}
					st.Pending[a.Name] = a.Value
					sends = append(sends, delivery{a.Name, a.Value})
				default:
					u.Attributes[a.Name] = a.Value
					u.Attributes[a.Name+"_verified"] = "false"
					delete(st.Pending, a.Name)
					if autoVerified(p, a.Name) {
						sends = append(sends, delivery{a.Name, a.Value})
					}
				}
			}
			if len(st.Pending) == 0 {
				st.Pending = nil
			}
			if err := p.CheckRequired(u.Attributes, true); err != nil {
				return err
			}
			u.Aliases = p.Aliases(u.Attributes)
			aliases = u.Aliases
			u.UpdatedAt = now
			return nil
		})
		if err != nil {
			return err
		}
		for _, attr := range touched {
			if !slices.ContainsFunc(sends, func(d delivery) bool { return d.attr == attr }) {
				if err := dropCode(ctx, tx, out, attr); err != nil {
					return err
				}
			}
		}
		for _, d := range sends {
			det, msg, err := s.Auth.SendCode(ctx, tx, p, out, authn.PurposeVerify(d.attr), authn.Delivery{Attribute: d.attr, Destination: d.dest}, sourceUpdate, in.ClientMetadata)
			if err != nil {
				return err
			}
			details = append(details, *det)
			outgoing = append(outgoing, msg.Via(c.Client.ID()))
		}
		return nil
	})
	if errors.Is(err, store.ErrAliasConflict) {
		return nil, s.aliasConflict(ctx, p.ID, c.User.Sub, aliases)
	}
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Deliver(ctx, outgoing...); err != nil {
		return nil, err
	}
	return &model.UpdateUserAttributesResponse{CodeDeliveryDetailsList: details}, nil
}

// DeleteUserAttributes removes attributes from the caller. Required and
// immutable attributes, the sign-in attributes of the pool and attributes
// the client may not write are refused.
func (s *Service) DeleteUserAttributes(ctx context.Context, in *model.DeleteUserAttributesRequest) (*model.DeleteUserAttributesResponse, error) {
	c, err := s.authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	p := c.Pool
	if err := p.CheckDeletable(in.UserAttributeNames); err != nil {
		return nil, err
	}
	for _, n := range in.UserAttributeNames {
		if !c.writable(n) {
			return nil, errUnauthorizedAttribute()
		}
		if slices.Contains(p.UsernameAttributes(), n) {
			return nil, invalid("Cannot delete %s: it is the user's sign-in name.", n)
		}
	}
	now := s.Now()
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		out, err := s.Auth.EditState(ctx, tx, c.User, func(u *store.User, st *authn.State) error {
			for _, n := range in.UserAttributeNames {
				delete(u.Attributes, n)
				if verifiable(n) {
					delete(u.Attributes, n+"_verified")
					delete(st.Pending, n)
				}
			}
			if len(st.Pending) == 0 {
				st.Pending = nil
			}
			u.Aliases = p.Aliases(u.Attributes)
			u.UpdatedAt = now
			return nil
		})
		if err != nil {
			return err
		}
		for _, n := range in.UserAttributeNames {
			if verifiable(n) {
				if err := dropCode(ctx, tx, out, n); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteUserAttributesResponse{}, nil
}

// GetUserAttributeVerificationCode sends the caller a code that verifies
// their email address or phone number: to the new value when one waits for
// verification, else to the current one.
func (s *Service) GetUserAttributeVerificationCode(ctx context.Context, in *model.GetUserAttributeVerificationCodeRequest) (*model.GetUserAttributeVerificationCodeResponse, error) {
	c, err := s.authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	attr := in.AttributeName
	if !verifiable(attr) {
		return nil, errNotVerifiable()
	}
	dest, err := target(c.User, attr)
	if err != nil {
		return nil, err
	}
	if dest == "" {
		if attr == "phone_number" {
			return nil, invalid("User does not have a valid registered phone number")
		}
		return nil, invalid("User does not have a valid registered email")
	}
	var details *model.CodeDeliveryDetailsType
	var out *authn.Outgoing
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		var err error
		details, out, err = s.Auth.SendCode(ctx, tx, c.Pool, c.User, authn.PurposeVerify(attr), authn.Delivery{Attribute: attr, Destination: dest}, sourceVerify, in.ClientMetadata)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Deliver(ctx, out.Via(c.Client.ID())); err != nil {
		return nil, err
	}
	return &model.GetUserAttributeVerificationCodeResponse{CodeDeliveryDetails: details}, nil
}

// target is the value a verification of attr confirms: the value waiting
// for verification, if any, else the current one.
func target(u *store.User, attr string) (string, error) {
	st, err := authn.ReadState(u)
	if err != nil {
		return "", err
	}
	if v := st.Pending[attr]; v != "" {
		return v, nil
	}
	return u.Attributes[attr], nil
}

// VerifyUserAttribute checks a code sent for the caller's email address or
// phone number and marks it verified, first putting in place a new value
// that waited for verification. A value another user holds as a sign-in
// alias is refused with AliasExistsException.
func (s *Service) VerifyUserAttribute(ctx context.Context, in *model.VerifyUserAttributeRequest) (*model.VerifyUserAttributeResponse, error) {
	c, err := s.authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	attr := in.AttributeName
	if !verifiable(attr) {
		return nil, errNotVerifiable()
	}
	want, err := target(c.User, attr)
	if err != nil {
		return nil, err
	}
	if want == "" {
		return nil, invalid("Unable to verify attribute: %s no value set to verify", attr)
	}
	if err := s.Auth.CheckCode(ctx, c.User, authn.PurposeVerify(attr), in.Code); err != nil {
		return nil, err
	}
	p := c.Pool
	now := s.Now()
	_, err = s.Auth.EditState(ctx, s.Store, c.User, func(u *store.User, st *authn.State) error {
		v, pending := st.Pending[attr]
		if !pending {
			v = u.Attributes[attr]
		}
		if v != want {
			// The value changed since the code was checked.
			return &model.ExpiredCodeException{Message: "Invalid code provided, please request a code again."}
		}
		if pending {
			u.Attributes[attr] = v
			delete(st.Pending, attr)
			if len(st.Pending) == 0 {
				st.Pending = nil
			}
		}
		u.Attributes[attr+"_verified"] = "true"
		u.Aliases = p.Aliases(u.Attributes)
		u.UpdatedAt = now
		return nil
	})
	if errors.Is(err, store.ErrAliasConflict) {
		return nil, errAliasExists(attr)
	}
	if err != nil {
		return nil, err
	}
	return &model.VerifyUserAttributeResponse{}, nil
}
