package e2e

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func scope(name, description string) types.ResourceServerScopeType {
	return types.ResourceServerScopeType{ScopeName: aws.String(name), ScopeDescription: aws.String(description)}
}

func TestResourceServerLifecycle(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	want := &types.ResourceServerType{
		UserPoolId: p.Id, Identifier: aws.String("https://api.example.com/v1"), Name: aws.String("Solar system API"),
		Scopes: []types.ResourceServerScopeType{scope("planets.read", "Read planets"), scope("planets:write", "Write planets")},
	}
	created := must[*cip.CreateResourceServerOutput](t)(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: p.Id, Identifier: want.Identifier, Name: want.Name, Scopes: want.Scopes,
	}))
	diff(t, "CreateResourceServer", want, created.ResourceServer)
	got := must[*cip.DescribeResourceServerOutput](t)(c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: p.Id, Identifier: want.Identifier}))
	diff(t, "DescribeResourceServer", want, got.ResourceServer)

	want.Name, want.Scopes = aws.String("Renamed"), []types.ResourceServerScopeType{scope("moons.read", "Read moons")}
	updated := must[*cip.UpdateResourceServerOutput](t)(c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{
		UserPoolId: p.Id, Identifier: want.Identifier, Name: want.Name, Scopes: want.Scopes,
	}))
	diff(t, "UpdateResourceServer", want, updated.ResourceServer)
	got = must[*cip.DescribeResourceServerOutput](t)(c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: p.Id, Identifier: want.Identifier}))
	diff(t, "DescribeResourceServer after update", want, got.ResourceServer)

	// Scopes left out of an update are removed, as Cognito documents.
	updated = must[*cip.UpdateResourceServerOutput](t)(c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{
		UserPoolId: p.Id, Identifier: want.Identifier, Name: want.Name,
	}))
	if len(updated.ResourceServer.Scopes) != 0 {
		t.Errorf("scopes after an update without scopes: %v", updated.ResourceServer.Scopes)
	}

	must[*cip.DeleteResourceServerOutput](t)(c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: p.Id, Identifier: want.Identifier}))
	_, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: p.Id, Identifier: want.Identifier})
	wantErr(t, err, "ResourceNotFoundException", "https://api.example.com/v1")
	_, err = c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: p.Id, Identifier: want.Identifier})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestListResourceServers(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	other := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	var want []string
	for i := range 5 {
		id := fmt.Sprintf("api-%d", (i*3)%5)
		must[*cip.CreateResourceServerOutput](t)(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
			UserPoolId: p.Id, Identifier: aws.String(id), Name: aws.String("n"), Scopes: []types.ResourceServerScopeType{scope("s", id)},
		}))
		must[*cip.CreateResourceServerOutput](t)(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
			UserPoolId: other.Id, Identifier: aws.String("other-" + id), Name: aws.String("n"),
		}))
		want = append(want, fmt.Sprintf("api-%d", i))
	}
	var got []string
	var token *string
	for pages := 0; ; pages++ {
		out := must[*cip.ListResourceServersOutput](t)(c.ListResourceServers(ctx, &cip.ListResourceServersInput{
			UserPoolId: p.Id, MaxResults: aws.Int32(2), NextToken: token,
		}))
		if len(out.ResourceServers) > 2 || pages > 3 {
			t.Fatalf("page %d has %d resource servers", pages, len(out.ResourceServers))
		}
		for _, rs := range out.ResourceServers {
			got = append(got, aws.ToString(rs.Identifier))
			if aws.ToString(rs.UserPoolId) != aws.ToString(p.Id) || aws.ToString(rs.Scopes[0].ScopeDescription) != aws.ToString(rs.Identifier) {
				t.Errorf("listed %+v", rs)
			}
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	diff(t, "listed identifiers", want, got)

	// The SDK's paginator walks the same list.
	pager := cip.NewListResourceServersPaginator(c, &cip.ListResourceServersInput{UserPoolId: p.Id, MaxResults: aws.Int32(3)})
	n := 0
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.ResourceServers)
	}
	if n != 5 {
		t.Errorf("paginator listed %d resource servers, want 5", n)
	}

	_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: other.Id, MaxResults: aws.Int32(2), NextToken: aws.String("bm90LWEtdG9rZW4")})
	wantErr(t, err, "InvalidParameterException", "NextToken")
	_, err = c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String("us-east-1_Nope12345"), MaxResults: aws.Int32(2)})
	wantErr(t, err, "ResourceNotFoundException", "us-east-1_Nope12345")
	_, err = c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: p.Id, MaxResults: aws.Int32(51)})
	wantErr(t, err, "InvalidParameterException", "maxResults")
}

func TestResourceServerErrors(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	create := func(pool *string, id string, scopes ...types.ResourceServerScopeType) error {
		_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: pool, Identifier: aws.String(id), Name: aws.String("API"), Scopes: scopes})
		return err
	}
	if err := create(p.Id, "api"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, create(p.Id, "api"), "InvalidParameterException", "already exists")
	wantErr(t, create(aws.String("us-east-1_Nope12345"), "api"), "ResourceNotFoundException", "us-east-1_Nope12345")
	wantErr(t, create(p.Id, "dup", scope("read", "a"), scope("read", "b")), "InvalidParameterException", "Duplicate scope name read")
	wantErr(t, create(p.Id, "bad id"), "InvalidParameterException", "identifier")
	wantErr(t, create(p.Id, "api2", scope("a/b", "slash")), "InvalidParameterException", "scopeName")
	many := make([]types.ResourceServerScopeType, 101)
	for i := range many {
		many[i] = scope(fmt.Sprintf("s%d", i), "d")
	}
	wantErr(t, create(p.Id, "api3", many...), "InvalidParameterException", "scopes")
	if err := create(p.Id, "api100", many[:100]...); err != nil {
		t.Errorf("100 scopes: %v", err)
	}

	// 25 resource servers per pool.
	for i := 2; i < 25; i++ {
		if err := create(p.Id, fmt.Sprintf("rs-%02d", i)); err != nil {
			t.Fatalf("resource server %d: %v", i, err)
		}
	}
	wantErr(t, create(p.Id, "rs-25"), "LimitExceededException", "25")

	_, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: p.Id, Identifier: aws.String("missing"), Name: aws.String("x")})
	wantErr(t, err, "ResourceNotFoundException", "missing")
	_, err = c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String("us-east-1_Nope12345"), Identifier: aws.String("api"), Name: aws.String("x")})
	wantErr(t, err, "ResourceNotFoundException", "us-east-1_Nope12345")
	_, err = c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: p.Id, Identifier: aws.String("api"), Name: aws.String("x"),
		Scopes: []types.ResourceServerScopeType{scope("a", "1"), scope("a", "2")}})
	wantErr(t, err, "InvalidParameterException", "Duplicate scope name a")
}

// TestClientCustomScopes checks that app clients may be allowed the custom
// scopes of the pool's resource servers, and no others.
func TestClientCustomScopes(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	other := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	for _, pool := range []*string{p.Id, other.Id} {
		must[*cip.CreateResourceServerOutput](t)(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
			UserPoolId: pool, Identifier: aws.String("https://api.example.com"), Name: aws.String("API"),
			Scopes: []types.ResourceServerScopeType{scope("read", "Read"), scope("write", "Write")},
		}))
	}
	must[*cip.CreateResourceServerOutput](t)(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: other.Id, Identifier: aws.String("billing"), Name: aws.String("Billing"), Scopes: []types.ResourceServerScopeType{scope("pay", "Pay")},
	}))
	client := func(scopes ...string) (*types.UserPoolClientType, error) {
		out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: p.Id, ClientName: aws.String("m2m"), GenerateSecret: true,
			AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
			AllowedOAuthScopes: scopes,
		})
		if err != nil {
			return nil, err
		}
		return out.UserPoolClient, nil
	}
	cl, err := client("https://api.example.com/read", "https://api.example.com/write")
	if err != nil {
		t.Fatalf("client with custom scopes: %v", err)
	}
	diff(t, "allowed scopes", []string{"https://api.example.com/read", "https://api.example.com/write"}, cl.AllowedOAuthScopes)
	for _, sc := range []string{"https://api.example.com/delete", "https://api.example.com/", "billing/pay", "nope/read", "https://api.example.com"} {
		_, err := client(sc)
		wantErr(t, err, "ScopeDoesNotExistException", sc)
	}

	update := func(scopes ...string) error {
		_, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId: p.Id, ClientId: cl.ClientId, AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: scopes,
		})
		return err
	}
	if err := update("https://api.example.com/write"); err != nil {
		t.Errorf("update to a custom scope: %v", err)
	}
	wantErr(t, update("https://api.example.com/admin"), "ScopeDoesNotExistException", "https://api.example.com/admin")
	// A scope becomes available once its resource server defines it.
	must[*cip.UpdateResourceServerOutput](t)(c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{
		UserPoolId: p.Id, Identifier: aws.String("https://api.example.com"), Name: aws.String("API"),
		Scopes: []types.ResourceServerScopeType{scope("read", "Read"), scope("admin", "Admin")},
	}))
	if err := update("https://api.example.com/admin"); err != nil {
		t.Errorf("update to a newly defined scope: %v", err)
	}
	got := must[*cip.DescribeUserPoolClientOutput](t)(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: p.Id, ClientId: cl.ClientId}))
	diff(t, "allowed scopes after update", []string{"https://api.example.com/admin"}, got.UserPoolClient.AllowedOAuthScopes)
}
