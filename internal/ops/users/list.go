package users

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// storeFilter turns a parsed ListUsers filter into the store's, folding
// values where Cognito matches case-insensitively. ok is false when no user
// can match.
func storeFilter(p *userpool.Pool, f *Filter) (sf store.UserFilter, ok bool, err error) {
	if f == nil {
		return store.UserFilter{}, true, nil
	}
	sf = store.UserFilter{Field: f.Attribute, Prefix: f.Prefix, Value: f.Value}
	switch f.Attribute {
	case "username":
		sf.Value = p.Key(f.Value)
	case "cognito:user_status":
		sf.Field = store.FieldStatus
		sf.Value = strings.ToUpper(f.Value)
	case "status":
		// "Enabled" or "Disabled", matched case-sensitively.
		var match []string
		for _, v := range []string{"Enabled", "Disabled"} {
			if v == f.Value || (f.Prefix && strings.HasPrefix(v, f.Value)) {
				match = append(match, v)
			}
		}
		switch len(match) {
		case 0:
			return sf, false, nil
		case 2:
			return store.UserFilter{}, true, nil
		}
		sf = store.UserFilter{Field: store.FieldEnabled, Value: fmt.Sprint(match[0] == "Enabled")}
	case "sub":
		sf.Field = store.FieldSub
	default:
		if !slices.Contains(store.IndexedAttributes, f.Attribute) {
			return sf, false, &model.InvalidParameterException{Message: fmt.Sprintf("Invalid search attribute: %s. Only username, email, phone_number, name, given_name, family_name, preferred_username, cognito:user_status, status and sub can be searched.", f.Attribute)}
		}
	}
	return sf, true, nil
}

// invalidPaginationToken is Cognito's message for a ListUsers
// PaginationToken it cannot use (reported AWS output; docs/fidelity.md).
const invalidPaginationToken = "Paging Marker is Invalid for Request"

// ListUsers lists a pool's users, optionally filtered by one attribute, a
// page at a time. The page is read together with the pool's revision, so
// a memoized pool costs no query of its own (userpool.Memo.Read).
func (s *Service) ListUsers(ctx context.Context, in *model.ListUsersRequest) (*model.ListUsersResponse, error) {
	var out *model.ListUsersResponse
	_, err := s.Pools.Read(ctx, s.Store, in.UserPoolId, func(p *userpool.Pool, _ bool) (rev int64, err error) {
		out, rev, err = s.listUsers(ctx, p, in)
		return rev, err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listUsers is ListUsers with the pool loaded; it returns the pool's
// revision read with the page, zero if there was none.
func (s *Service) listUsers(ctx context.Context, p *userpool.Pool, in *model.ListUsersRequest) (*model.ListUsersResponse, int64, error) {
	f, err := ParseFilter(in.Filter)
	if err != nil {
		return nil, 0, &model.InvalidParameterException{Message: filterMessage}
	}
	sf, ok, err := storeFilter(p, f)
	if err != nil {
		return nil, 0, err
	}
	for _, a := range in.AttributesToGet {
		// identities is not in the schema but every user can have it: the
		// identity providers linked to them (AdminLinkProviderForUser).
		if p.Attribute(a) == nil && a != "identities" {
			return nil, 0, &model.InvalidParameterException{Message: fmt.Sprintf("Invalid attributes to get: %s does not exist in the schema.", a)}
		}
	}
	out := &model.ListUsersResponse{Users: []model.UserType{}}
	if !ok {
		return out, 0, nil
	}
	us, next, rev, err := s.Store.FindUsersWithPoolRev(ctx, p.ID, sf, ops.Page(in.PaginationToken, in.Limit, 60))
	if err != nil {
		return nil, 0, ops.ListError(err, invalidPaginationToken, "list users")
	}
	var only []string
	if in.AttributesToGet != nil {
		only = in.AttributesToGet
	}
	out.Users = make([]model.UserType, 0, len(us))
	for i := range us {
		out.Users = append(out.Users, *Wire(&us[i], only))
	}
	out.PaginationToken = next
	return out, rev, nil
}
