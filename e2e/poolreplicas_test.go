package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/store/postgres/pgtesting"
	"github.com/cognate-idp/cognate/internal/testserver"
)

const notEnabled = "OperationNotEnabledException"

// TestPoolReplicaOperations checks the four replica operations' answers and
// errors in the primary region: roles, statuses, ARNs, the one-secondary
// limit, the feature plan, the INACTIVE rule of deletion and NextToken.
func TestPoolReplicaOperations(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, nil).Id

	_, err := c.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: aws.String("us-east-1_Nope12345"), RegionName: aws.String("eu-west-1")})
	wantErr(t, err, "ResourceNotFoundException", "us-east-1_Nope12345")
	_, err = c.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("us-east-1")})
	wantErr(t, err, "InvalidParameterException", "primary Region")
	_, err = c.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("Mars East")})
	wantErr(t, err, "InvalidParameterException", "RegionName")
	_, err = c.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("eu-west-1"), UserPoolTags: map[string]string{"aws:x": "y"}})
	wantErr(t, err, "UserPoolTaggingException", "aws:")

	lite := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypeLite}).Id
	_, err = c.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: lite, RegionName: aws.String("eu-west-1")})
	wantErr(t, err, tierErr, "")

	created := must[*cip.CreateUserPoolReplicaOutput](t)(c.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{
		UserPoolId: pool, RegionName: aws.String("eu-west-1"), UserPoolTags: map[string]string{"site": "dublin"}})).UserPoolReplica
	secondary := types.UserPoolReplicaType{RegionName: aws.String("eu-west-1"), Role: types.ReplicaRoleTypeSecondary,
		Status: types.ReplicaStatusTypeCreating, UserPoolArn: aws.String("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/" + *pool)}
	diffReplicas(t, "CreateUserPoolReplica", []types.UserPoolReplicaType{secondary}, []types.UserPoolReplicaType{*created})

	_, err = c.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("us-west-2")})
	wantErr(t, err, "LimitExceededException", "at most 1")
	// A pool with a replica keeps a feature plan that has replication.
	_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: pool, UserPoolTier: types.UserPoolTierTypeLite})
	wantErr(t, err, tierErr, "eu-west-1")

	// ListUserPools names the regions of each pool's replicas.
	listed := false
	for _, p := range must[*cip.ListUserPoolsOutput](t)(c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})).UserPools {
		if aws.ToString(p.Id) == *pool {
			listed = true
			if d := cmp.Diff([]string{"eu-west-1"}, p.ReplicaRegions); d != "" {
				t.Errorf("ReplicaRegions (-want +got):\n%s", d)
			}
		} else if len(p.ReplicaRegions) != 0 {
			t.Errorf("pool %s without replicas lists %v", aws.ToString(p.Id), p.ReplicaRegions)
		}
	}
	if !listed {
		t.Error("ListUserPools does not list the pool")
	}

	primary := types.UserPoolReplicaType{RegionName: aws.String("us-east-1"), Role: types.ReplicaRoleTypePrimary,
		Status: types.ReplicaStatusTypeActive, UserPoolArn: aws.String("arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + *pool)}
	secondary.Status = types.ReplicaStatusTypeInactive
	list := must[*cip.ListUserPoolReplicasOutput](t)(c.ListUserPoolReplicas(ctx, &cip.ListUserPoolReplicasInput{UserPoolId: pool}))
	diffReplicas(t, "ListUserPoolReplicas", []types.UserPoolReplicaType{primary, secondary}, list.UserPoolReplicas)
	if list.NextToken != nil {
		t.Errorf("NextToken %q after the last replica", *list.NextToken)
	}
	_, err = c.ListUserPoolReplicas(ctx, &cip.ListUserPoolReplicasInput{UserPoolId: pool, NextToken: aws.String("not-a-token")})
	wantErr(t, err, "InvalidParameterException", "NextToken")
	_, err = c.ListUserPoolReplicas(ctx, &cip.ListUserPoolReplicasInput{UserPoolId: aws.String("us-east-1_Nope12345")})
	wantErr(t, err, "ResourceNotFoundException", "")

	// An ACTIVE replica cannot be deleted; an INACTIVE one can.
	up := must[*cip.UpdateUserPoolReplicaOutput](t)(c.UpdateUserPoolReplica(ctx, &cip.UpdateUserPoolReplicaInput{
		UserPoolId: pool, RegionName: aws.String("eu-west-1"), Status: types.UpdateReplicaStatusTypeActive})).UserPoolReplica
	secondary.Status = types.ReplicaStatusTypeActive
	diffReplicas(t, "UpdateUserPoolReplica", []types.UserPoolReplicaType{secondary}, []types.UserPoolReplicaType{*up})
	_, err = c.UpdateUserPoolReplica(ctx, &cip.UpdateUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("ap-south-1"), Status: types.UpdateReplicaStatusTypeActive})
	wantErr(t, err, "ResourceNotFoundException", "no replica in ap-south-1")
	_, err = c.DeleteUserPoolReplica(ctx, &cip.DeleteUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("eu-west-1")})
	wantErr(t, err, "InvalidParameterException", "INACTIVE")
	must[*cip.UpdateUserPoolReplicaOutput](t)(c.UpdateUserPoolReplica(ctx, &cip.UpdateUserPoolReplicaInput{
		UserPoolId: pool, RegionName: aws.String("eu-west-1"), Status: types.UpdateReplicaStatusTypeInactive}))
	gone := must[*cip.DeleteUserPoolReplicaOutput](t)(c.DeleteUserPoolReplica(ctx, &cip.DeleteUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("eu-west-1")})).UserPoolReplica
	secondary.Status = types.ReplicaStatusTypeDeleting
	diffReplicas(t, "DeleteUserPoolReplica", []types.UserPoolReplicaType{secondary}, []types.UserPoolReplicaType{*gone})
	list = must[*cip.ListUserPoolReplicasOutput](t)(c.ListUserPoolReplicas(ctx, &cip.ListUserPoolReplicasInput{UserPoolId: pool}))
	diffReplicas(t, "ListUserPoolReplicas after delete", []types.UserPoolReplicaType{primary}, list.UserPoolReplicas)
	_, err = c.DeleteUserPoolReplica(ctx, &cip.DeleteUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("eu-west-1")})
	wantErr(t, err, "ResourceNotFoundException", "no replica in eu-west-1")
	// With its replica gone the pool can have a new one, in another region.
	must[*cip.CreateUserPoolReplicaOutput](t)(c.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("us-west-2")}))
}

func diffReplicas(t *testing.T, what string, want, got []types.UserPoolReplicaType) {
	t.Helper()
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b types.UserPoolReplicaType) bool {
		return aws.ToString(a.RegionName) == aws.ToString(b.RegionName) && a.Role == b.Role && a.Status == b.Status &&
			aws.ToString(a.UserPoolArn) == aws.ToString(b.UserPoolArn)
	})); d != "" {
		t.Fatalf("%s (-want +got):\n%s", what, d)
	}
}

// TestPoolReplicaRegions runs a pool's primary region (us-east-1) and its
// secondary region (eu-west-1) as two Cognate servers on one database, on
// SQLite and on PostgreSQL: the secondary serves reads and, once ACTIVE,
// sign-in with the primary's users and tokens, and refuses what creates or
// changes users, as Cognito's secondary replicas do.
func TestPoolReplicaRegions(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testPoolReplicaRegions(t, testserver.NewConfig(t).DB)
	})
	t.Run("postgres", func(t *testing.T) {
		testPoolReplicaRegions(t, pgtesting.SchemaURL(t))
	})
}

func testPoolReplicaRegions(t *testing.T, db string) {
	base := testserver.NewConfig(t)
	base.DB = db
	if _, _, err := seal.LoadOrCreate(base.KeyFile); err != nil {
		t.Fatal(err)
	}
	base.IssuerURL = "http://cognate.test"
	east := testserver.StartWith(t, base, server.Options{})
	westCfg := *base
	westCfg.Region = "eu-west-1"
	west := testserver.StartWith(t, &westCfg, server.Options{})
	pc, sc := east.Client, west.Client

	pool := newPool(t, pc, nil).Id
	other := newPool(t, pc, nil).Id
	client := aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(pc.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})).UserPoolClient.ClientId)
	must[*cip.AdminCreateUserOutput](t)(pc.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("ana"), MessageAction: types.MessageActionTypeSuppress}))
	must[*cip.AdminSetUserPasswordOutput](t)(pc.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool, Username: aws.String("ana"), Password: aws.String(signupPassword), Permanent: true}))

	// Before it has a replica there, the pool does not exist in eu-west-1.
	_, err := sc.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: pool})
	wantErr(t, err, "ResourceNotFoundException", "")
	must[*cip.CreateUserPoolReplicaOutput](t)(pc.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{
		UserPoolId: pool, RegionName: aws.String("eu-west-1"), UserPoolTags: map[string]string{"site": "dublin"}}))
	_, err = sc.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: other})
	wantErr(t, err, "ResourceNotFoundException", "")

	// The secondary serves configuration reads at once; while INACTIVE it
	// refuses end users.
	described := must[*cip.DescribeUserPoolOutput](t)(sc.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: pool})).UserPool
	if want := "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/" + *pool; aws.ToString(described.Arn) != want {
		t.Errorf("secondary's ARN %s, want %s", aws.ToString(described.Arn), want)
	}
	must[*cip.AdminGetUserOutput](t)(sc.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("ana")}))
	signIn := func(c *cip.Client) (*cip.InitiateAuthOutput, error) {
		return c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "ana", "PASSWORD": signupPassword}})
	}
	_, err = signIn(sc)
	wantErr(t, err, notEnabled, "INACTIVE")

	// UpdateUserPoolReplica works in the secondary region too; once ACTIVE
	// it signs in the primary's users, and tokens cross regions.
	must[*cip.UpdateUserPoolReplicaOutput](t)(sc.UpdateUserPoolReplica(ctx, &cip.UpdateUserPoolReplicaInput{
		UserPoolId: pool, RegionName: aws.String("eu-west-1"), Status: types.UpdateReplicaStatusTypeActive}))
	auth := must[*cip.InitiateAuthOutput](t)(signIn(sc)).AuthenticationResult
	must[*cip.GetUserOutput](t)(pc.GetUser(ctx, &cip.GetUserInput{AccessToken: auth.AccessToken}))
	must[*cip.GetUserOutput](t)(sc.GetUser(ctx, &cip.GetUserInput{AccessToken: must[*cip.InitiateAuthOutput](t)(signIn(pc)).AuthenticationResult.AccessToken}))
	must[*cip.InitiateAuthOutput](t)(sc.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(auth.RefreshToken)}}))

	// What creates or changes users, and configuration, is the primary's.
	refusals := map[string]error{}
	_, refusals["SignUp"] = sc.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("bo"), Password: aws.String(signupPassword)})
	_, refusals["AdminCreateUser"] = sc.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("bo")})
	_, refusals["UpdateUserAttributes"] = sc.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: auth.AccessToken, UserAttributes: []types.AttributeType{attr("name", "Ana")}})
	_, refusals["AdminUpdateUserAttributes"] = sc.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String("ana"), UserAttributes: []types.AttributeType{attr("name", "Ana")}})
	_, refusals["ChangePassword"] = sc.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: auth.AccessToken, PreviousPassword: aws.String(signupPassword), ProposedPassword: aws.String(signupPassword + "2")})
	_, refusals["ForgotPassword"] = sc.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("ana")})
	_, refusals["AssociateSoftwareToken"] = sc.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: auth.AccessToken})
	_, refusals["UpdateUserPool"] = sc.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: pool})
	_, refusals["CreateUserPoolClient"] = sc.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool, ClientName: aws.String("b")})
	_, refusals["DeleteUserPoolReplica"] = sc.DeleteUserPoolReplica(ctx, &cip.DeleteUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("eu-west-1")})
	_, refusals["CreateUserPoolReplica"] = sc.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: pool, RegionName: aws.String("us-west-2")})
	for op, err := range refusals {
		t.Run(op, func(t *testing.T) { wantErr(t, err, notEnabled, "") })
	}
	_, err = pc.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("bo")})
	wantErr(t, err, "UserNotFoundException", "")

	// The hosted endpoints of the pool's domain refuse the same writes in
	// the secondary region.
	must[*cip.CreateUserPoolDomainOutput](t)(pc.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool, Domain: aws.String("regions-e2e")}))
	hostedPost := func(s *testserver.Server, path string) (int, string) {
		u, err := url.Parse(s.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := loopbackClient(nil).PostForm("http://regions-e2e.auth.localhost:"+u.Port()+path, url.Values{"client_id": {client}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := hostedPost(west, "/signup"); status != http.StatusForbidden || !strings.Contains(body, "SignUp is not enabled in eu-west-1") {
		t.Errorf("POST /signup in the secondary region: %d %s", status, body)
	}
	if status, _ := hostedPost(east, "/signup"); status == http.StatusForbidden {
		t.Error("POST /signup refused in the primary region")
	}

	// A replica's tags are its own.
	westARN := aws.String("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/" + *pool)
	must[*cip.TagResourceOutput](t)(sc.TagResource(ctx, &cip.TagResourceInput{ResourceArn: westARN, Tags: map[string]string{"tier": "dr"}}))
	westTags := must[*cip.ListTagsForResourceOutput](t)(sc.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: westARN})).Tags
	if d := cmp.Diff(map[string]string{"site": "dublin", "tier": "dr"}, westTags); d != "" {
		t.Errorf("secondary's tags (-want +got):\n%s", d)
	}
	eastTags := must[*cip.ListTagsForResourceOutput](t)(pc.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{
		ResourceArn: aws.String("arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + *pool)})).Tags
	if len(eastTags) != 0 {
		t.Errorf("the primary's tags are %v, want none", eastTags)
	}
}
