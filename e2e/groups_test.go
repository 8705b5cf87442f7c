package e2e

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestGroups(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, nil).Id
	role := "arn:aws:iam::123456789012:role/admins"
	g := must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("admins"), Description: aws.String("Admins"), Precedence: aws.Int32(0), RoleArn: &role})).Group
	if aws.ToString(g.GroupName) != "admins" || aws.ToInt32(g.Precedence) != 0 || g.Precedence == nil || aws.ToString(g.RoleArn) != role || g.CreationDate == nil {
		t.Errorf("created %+v", g)
	}
	_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("admins")})
	wantErr(t, err, "GroupExistsException", "")
	_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("x"), RoleArn: aws.String("not-an-arn-at-all-really")})
	wantErr(t, err, "InvalidParameterException", "roleArn")

	upd := must[*cip.UpdateGroupOutput](t)(c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: pool, GroupName: aws.String("admins"), Precedence: aws.Int32(5)})).Group
	if aws.ToInt32(upd.Precedence) != 5 || aws.ToString(upd.Description) != "Admins" {
		t.Errorf("updated %+v", upd)
	}
	got := must[*cip.GetGroupOutput](t)(c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: pool, GroupName: aws.String("admins")})).Group
	if aws.ToInt32(got.Precedence) != 5 {
		t.Errorf("got %+v", got)
	}
	_, err = c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: pool, GroupName: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Group not found.")

	for i := 0; i < 4; i++ {
		must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String(fmt.Sprintf("g%d", i))}))
	}
	var names []string
	pages := cip.NewListGroupsPaginator(c, &cip.ListGroupsInput{UserPoolId: pool, Limit: aws.Int32(2)})
	for pages.HasMorePages() {
		for _, g := range must[*cip.ListGroupsOutput](t)(pages.NextPage(ctx)).Groups {
			names = append(names, aws.ToString(g.GroupName))
		}
	}
	if fmt.Sprint(names) != "[admins g0 g1 g2 g3]" {
		t.Errorf("ListGroups = %v", names)
	}

	// Memberships.
	p := aws.ToString(pool)
	createUser(t, c, p, "ann")
	createUser(t, c, p, "ben")
	for _, m := range [][2]string{{"ann", "admins"}, {"ann", "g1"}, {"ben", "admins"}, {"ann", "admins"}} {
		must[*cip.AdminAddUserToGroupOutput](t)(c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String(m[0]), GroupName: aws.String(m[1])}))
	}
	_, err = c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("ghost"), GroupName: aws.String("admins")})
	wantErr(t, err, "UserNotFoundException", "")
	_, err = c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("ann"), GroupName: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "")

	groupsOf := func(user string) string {
		out := must[*cip.AdminListGroupsForUserOutput](t)(c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: aws.String(user)}))
		var n []string
		for _, g := range out.Groups {
			n = append(n, aws.ToString(g.GroupName))
		}
		return fmt.Sprint(n)
	}
	membersOf := func(group string) string {
		out := must[*cip.ListUsersInGroupOutput](t)(c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: aws.String(group)}))
		var n []string
		for _, u := range out.Users {
			n = append(n, aws.ToString(u.Username))
			if u.UserStatus != types.UserStatusTypeForceChangePassword || len(u.Attributes) == 0 {
				t.Errorf("member entry lacks fields: %+v", u)
			}
		}
		return fmt.Sprint(n)
	}
	if got := groupsOf("ann"); got != "[admins g1]" {
		t.Errorf("ann's groups = %s", got)
	}
	if got := membersOf("admins"); got != "[ann ben]" {
		t.Errorf("admins members = %s", got)
	}
	must[*cip.AdminRemoveUserFromGroupOutput](t)(c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pool, Username: aws.String("ann"), GroupName: aws.String("admins")}))
	if got := membersOf("admins"); got != "[ben]" {
		t.Errorf("admins members after removal = %s", got)
	}
	// Deleting a group ends its memberships; deleting a user ends theirs.
	must[*cip.DeleteGroupOutput](t)(c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: pool, GroupName: aws.String("g1")}))
	if got := groupsOf("ann"); got != "[]" {
		t.Errorf("ann's groups after group deletion = %s", got)
	}
	must[*cip.AdminDeleteUserOutput](t)(c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: aws.String("ben")}))
	if got := membersOf("admins"); got != "[]" {
		t.Errorf("admins members after user deletion = %s", got)
	}
	_, err = c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: pool, GroupName: aws.String("g1")})
	wantErr(t, err, "ResourceNotFoundException", "")
}
