// Package groups implements the group operations: CreateGroup, GetGroup,
// UpdateGroup, DeleteGroup, ListGroups, AdminAddUserToGroup,
// AdminRemoveUserFromGroup, AdminListGroupsForUser and ListUsersInGroup.
package groups

import (
	"context"
	"errors"
	"fmt"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/ops/users"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service serves the group operations.
type Service struct {
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpCreateGroup, s.CreateGroup)
	awsjson.Handle(m, model.OpGetGroup, s.GetGroup)
	awsjson.Handle(m, model.OpUpdateGroup, s.UpdateGroup)
	awsjson.Handle(m, model.OpDeleteGroup, s.DeleteGroup)
	awsjson.Handle(m, model.OpListGroups, s.ListGroups)
	awsjson.Handle(m, model.OpAdminAddUserToGroup, s.AdminAddUserToGroup)
	awsjson.Handle(m, model.OpAdminRemoveUserFromGroup, s.AdminRemoveUserFromGroup)
	awsjson.Handle(m, model.OpAdminListGroupsForUser, s.AdminListGroupsForUser)
	awsjson.Handle(m, model.OpListUsersInGroup, s.ListUsersInGroup)
}

func groupNotFound() error {
	return &model.ResourceNotFoundException{Message: "Group not found."}
}

func wire(g *store.Group) *model.GroupType {
	return &model.GroupType{
		GroupName: g.Name, UserPoolId: g.PoolID, Description: g.Description, RoleArn: g.RoleArn,
		Precedence: g.Precedence, CreationDate: model.NewTime(g.CreatedAt), LastModifiedDate: model.NewTime(g.UpdatedAt),
	}
}

// pageSize is Cognito's default (and largest) page of groups and members.
const pageSize = 60

// MaxGroups is how many groups a user pool can have, Cognito's quota.
const MaxGroups = 10000

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, in *model.CreateGroupRequest) (*model.CreateGroupResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	now := s.Now()
	g := &store.Group{PoolID: in.UserPoolId, Name: in.GroupName, Description: in.Description, RoleArn: in.RoleArn, Precedence: in.Precedence, CreatedAt: now, UpdatedAt: now}
	err := s.Store.CreateGroup(ctx, g, MaxGroups)
	switch {
	case errors.Is(err, store.ErrLimit):
		return nil, &model.LimitExceededException{Message: fmt.Sprintf("A user pool can have at most %d groups.", MaxGroups)}
	case errors.Is(err, store.ErrConflict):
		return nil, &model.GroupExistsException{Message: "A group with the name already exists."}
	case errors.Is(err, store.ErrNotFound):
		return nil, userpool.NotFound(in.UserPoolId)
	case err != nil:
		return nil, fmt.Errorf("create group: %w", err)
	}
	return &model.CreateGroupResponse{Group: wire(g)}, nil
}

// GetGroup returns a group.
func (s *Service) GetGroup(ctx context.Context, in *model.GetGroupRequest) (*model.GetGroupResponse, error) {
	g, err := s.load(ctx, in.UserPoolId, in.GroupName)
	if err != nil {
		return nil, err
	}
	return &model.GetGroupResponse{Group: wire(g)}, nil
}

func (s *Service) load(ctx context.Context, poolID, name string) (*store.Group, error) {
	g, err := s.Store.GetGroup(ctx, poolID, name)
	if errors.Is(err, store.ErrNotFound) {
		if _, perr := s.Pools.Load(ctx, s.Store, poolID); perr != nil {
			return nil, perr
		}
		return nil, groupNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("get group: %w", err)
	}
	return g, nil
}

// UpdateGroup changes the members of a group the request gives.
func (s *Service) UpdateGroup(ctx context.Context, in *model.UpdateGroupRequest) (*model.UpdateGroupResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	g, err := s.Store.UpdateGroup(ctx, in.UserPoolId, in.GroupName, func(g *store.Group) error {
		if in.Description != "" {
			g.Description = in.Description
		}
		if in.RoleArn != "" {
			g.RoleArn = in.RoleArn
		}
		if in.Precedence != nil {
			g.Precedence = in.Precedence
		}
		g.UpdatedAt = s.Now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, groupNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("update group: %w", err)
	}
	return &model.UpdateGroupResponse{Group: wire(g)}, nil
}

// DeleteGroup deletes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, in *model.DeleteGroupRequest) (*model.Empty, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	err := s.Store.DeleteGroup(ctx, in.UserPoolId, in.GroupName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, groupNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("delete group: %w", err)
	}
	return &model.Empty{}, nil
}

// ListGroups lists a pool's groups a page at a time.
func (s *Service) ListGroups(ctx context.Context, in *model.ListGroupsRequest) (*model.ListGroupsResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	gs, next, err := s.Store.ListGroups(ctx, in.UserPoolId, ops.Page(in.NextToken, in.Limit, pageSize))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list groups")
	}
	out := &model.ListGroupsResponse{Groups: []model.GroupType{}, NextToken: next}
	for i := range gs {
		out.Groups = append(out.Groups, *wire(&gs[i]))
	}
	return out, nil
}

// membership resolves the pool, the user (by username or alias) and the
// group of a membership operation.
func (s *Service) membership(ctx context.Context, poolID, username, group string) (*store.User, error) {
	p, err := s.Pools.Load(ctx, s.Store, poolID)
	if err != nil {
		return nil, err
	}
	u, err := p.FindUser(ctx, s.Store, username)
	if err != nil {
		return nil, err
	}
	if _, err := s.load(ctx, poolID, group); err != nil {
		return nil, err
	}
	return u, nil
}

// AdminAddUserToGroup adds a user to a group; adding a member again is not
// an error.
func (s *Service) AdminAddUserToGroup(ctx context.Context, in *model.AdminAddUserToGroupRequest) (*model.Empty, error) {
	u, err := s.membership(ctx, in.UserPoolId, in.Username, in.GroupName)
	if err != nil {
		return nil, err
	}
	if err := s.Store.AddUserToGroup(ctx, in.UserPoolId, u.Key, in.GroupName); err != nil {
		return nil, fmt.Errorf("add user to group: %w", err)
	}
	return &model.Empty{}, nil
}

// AdminRemoveUserFromGroup removes a user from a group.
func (s *Service) AdminRemoveUserFromGroup(ctx context.Context, in *model.AdminRemoveUserFromGroupRequest) (*model.Empty, error) {
	u, err := s.membership(ctx, in.UserPoolId, in.Username, in.GroupName)
	if err != nil {
		return nil, err
	}
	if err := s.Store.RemoveUserFromGroup(ctx, in.UserPoolId, u.Key, in.GroupName); err != nil {
		return nil, fmt.Errorf("remove user from group: %w", err)
	}
	return &model.Empty{}, nil
}

// AdminListGroupsForUser lists the groups a user belongs to.
func (s *Service) AdminListGroupsForUser(ctx context.Context, in *model.AdminListGroupsForUserRequest) (*model.AdminListGroupsForUserResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	u, err := p.FindUser(ctx, s.Store, in.Username)
	if err != nil {
		return nil, err
	}
	gs, next, err := s.Store.ListGroupsForUser(ctx, p.ID, u.Key, ops.Page(in.NextToken, in.Limit, pageSize))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list groups for user")
	}
	out := &model.AdminListGroupsForUserResponse{Groups: []model.GroupType{}, NextToken: next}
	for i := range gs {
		out.Groups = append(out.Groups, *wire(&gs[i]))
	}
	return out, nil
}

// ListUsersInGroup lists a group's members.
func (s *Service) ListUsersInGroup(ctx context.Context, in *model.ListUsersInGroupRequest) (*model.ListUsersInGroupResponse, error) {
	if _, err := s.load(ctx, in.UserPoolId, in.GroupName); err != nil {
		return nil, err
	}
	us, next, err := s.Store.ListUsersInGroup(ctx, in.UserPoolId, in.GroupName, ops.Page(in.NextToken, in.Limit, pageSize))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list users in group")
	}
	out := &model.ListUsersInGroupResponse{Users: []model.UserType{}, NextToken: next}
	for i := range us {
		out.Users = append(out.Users, *users.Wire(&us[i], nil))
	}
	return out, nil
}
