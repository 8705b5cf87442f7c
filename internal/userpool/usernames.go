package userpool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// NewUsername decides a new user's internal username, for AdminCreateUser
// and SignUp. In a pool whose users sign in with their email or phone number
// the given name must be one: it becomes that attribute (in attrs) and the
// username is the sub. In a pool with email or phone aliases the username
// may not look like one.
func (p *Pool) NewUsername(name, sub string, attrs map[string]string) (string, error) {
	ua := p.UsernameAttributes()
	if len(ua) == 0 {
		for _, a := range p.Settings.AliasAttributes {
			if a == "email" && ValidEmail(name) {
				return "", invalid("Username cannot be of email format, since user pool is configured for email alias.")
			}
			if a == "phone_number" && ValidPhone(name) {
				return "", invalid("Username cannot be of phone number format, since user pool is configured for phone number alias.")
			}
		}
		return name, nil
	}
	var attr string
	switch {
	case slices.Contains(ua, "email") && ValidEmail(name):
		attr = "email"
	case slices.Contains(ua, "phone_number") && ValidPhone(name):
		attr = "phone_number"
	case len(ua) == 2:
		return "", invalid("Username should be either an email or a phone number.")
	case ua[0] == "email":
		return "", invalid("Username should be an email.")
	default:
		return "", invalid("Username should be a phone number.")
	}
	if v, ok := attrs[attr]; ok && v != name {
		return "", invalid("The %s attribute must match the username.", attr)
	}
	attrs[attr] = name
	return sub, nil
}

// TakeAliases moves to u every alias of u that another user holds, as
// ForceAliasCreation does: the other user's attribute stays but is no
// longer verified, so it no longer serves as an alias. A sign-in name
// (username attribute) is never moved; the caller's write reports that
// conflict.
func (p *Pool) TakeAliases(ctx context.Context, tx store.Users, u *store.User, now time.Time) error {
	for _, alias := range u.Aliases {
		holder, err := tx.GetUserByAlias(ctx, p.ID, alias)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("look up alias: %w", err)
		}
		if holder.Key == u.Key {
			continue
		}
		attr, _, _ := strings.Cut(alias, ":")
		if slices.Contains(p.UsernameAttributes(), attr) {
			continue
		}
		_, err = tx.UpdateUser(ctx, p.ID, holder.Key, func(h *store.User) error {
			if _, ok := h.Attributes[attr+"_verified"]; ok {
				h.Attributes[attr+"_verified"] = "false"
			}
			h.Aliases = slices.DeleteFunc(h.Aliases, func(a string) bool { return a == alias })
			h.UpdatedAt = now
			return nil
		})
		if err != nil {
			return fmt.Errorf("move alias: %w", err)
		}
	}
	return nil
}

// AliasHolder returns another user that holds one of u's aliases, with the
// attribute of that alias, or nil when none does.
func (p *Pool) AliasHolder(ctx context.Context, st store.Users, u *store.User) (*store.User, string, error) {
	for _, alias := range u.Aliases {
		holder, err := st.GetUserByAlias(ctx, p.ID, alias)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("look up alias: %w", err)
		}
		if holder.Key != u.Key {
			attr, _, _ := strings.Cut(alias, ":")
			return holder, attr, nil
		}
	}
	return nil, "", nil
}
