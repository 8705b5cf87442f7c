package e2e

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

func newClient(t *testing.T, c *cip.Client, pool *string, name string) *string {
	t.Helper()
	out := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool, ClientName: aws.String(name)}))
	return out.UserPoolClient.ClientId
}

func createTerms(c *cip.Client, pool, client *string, name string, links map[string]string) (*types.TermsType, error) {
	out, err := c.CreateTerms(ctx, &cip.CreateTermsInput{
		UserPoolId: pool, ClientId: client, TermsName: aws.String(name),
		TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: links,
	})
	if err != nil {
		return nil, err
	}
	return out.Terms, nil
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestTermsLifecycle(t *testing.T) {
	clock := testserver.NewClock(time.Date(2025, 8, 20, 10, 0, 0, 0, time.UTC))
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{Now: clock.Now})
	c := s.Client
	p := newPool(t, c, nil)
	client := newClient(t, c, p.Id, "web")
	links := map[string]string{"cognito:default": "https://example.com/terms", "cognito:spanish": "https://example.com/es/terms"}
	created, err := createTerms(c, p.Id, client, "terms-of-use", links)
	if err != nil {
		t.Fatal(err)
	}
	if !uuidV4.MatchString(aws.ToString(created.TermsId)) {
		t.Errorf("TermsId %q is not a version 4 UUID", aws.ToString(created.TermsId))
	}
	t0 := clock.Now()
	want := &types.TermsType{
		TermsId: created.TermsId, UserPoolId: p.Id, ClientId: client, TermsName: aws.String("terms-of-use"),
		TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone, Links: links,
		CreationDate: &t0, LastModifiedDate: &t0,
	}
	diff(t, "CreateTerms", want, created)
	got := must[*cip.DescribeTermsOutput](t)(c.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: p.Id, TermsId: created.TermsId}))
	diff(t, "DescribeTerms", want, got.Terms)

	privacy, err := createTerms(c, p.Id, client, "privacy-policy", map[string]string{"cognito:default": "https://example.com/privacy"})
	if err != nil {
		t.Fatal(err)
	}

	// An update replaces the links and keeps what it leaves out.
	clock.Advance(time.Hour)
	t1 := clock.Now()
	want.Links, want.LastModifiedDate = map[string]string{"cognito:default": "https://example.com/terms/v2"}, &t1
	updated := must[*cip.UpdateTermsOutput](t)(c.UpdateTerms(ctx, &cip.UpdateTermsInput{UserPoolId: p.Id, TermsId: created.TermsId, Links: want.Links}))
	diff(t, "UpdateTerms", want, updated.Terms)
	got = must[*cip.DescribeTermsOutput](t)(c.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: p.Id, TermsId: created.TermsId}))
	diff(t, "DescribeTerms after update", want, got.Terms)

	list := must[*cip.ListTermsOutput](t)(c.ListTerms(ctx, &cip.ListTermsInput{UserPoolId: p.Id}))
	if len(list.Terms) != 2 || list.NextToken != nil {
		t.Fatalf("ListTerms = %+v", list)
	}
	byID := map[string]types.TermsDescriptionType{}
	for _, x := range list.Terms {
		byID[aws.ToString(x.TermsId)] = x
	}
	diff(t, "listed terms of use", types.TermsDescriptionType{
		TermsId: created.TermsId, TermsName: aws.String("terms-of-use"), Enforcement: types.TermsEnforcementTypeNone,
		CreationDate: &t0, LastModifiedDate: &t1,
	}, byID[aws.ToString(created.TermsId)])
	if aws.ToString(byID[aws.ToString(privacy.TermsId)].TermsName) != "privacy-policy" {
		t.Errorf("listed privacy policy: %+v", byID[aws.ToString(privacy.TermsId)])
	}

	must[*cip.DeleteTermsOutput](t)(c.DeleteTerms(ctx, &cip.DeleteTermsInput{UserPoolId: p.Id, TermsId: created.TermsId}))
	_, err = c.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: p.Id, TermsId: created.TermsId})
	wantErr(t, err, "ResourceNotFoundException", aws.ToString(created.TermsId))
	_, err = c.DeleteTerms(ctx, &cip.DeleteTermsInput{UserPoolId: p.Id, TermsId: created.TermsId})
	wantErr(t, err, "ResourceNotFoundException", "")
	// The name is free again.
	if _, err := createTerms(c, p.Id, client, "terms-of-use", links); err != nil {
		t.Errorf("CreateTerms after delete: %v", err)
	}

	// Terms go with their app client.
	must[*cip.DeleteUserPoolClientOutput](t)(c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: p.Id, ClientId: client}))
	_, err = c.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: p.Id, TermsId: privacy.TermsId})
	wantErr(t, err, "ResourceNotFoundException", "")
	if list := must[*cip.ListTermsOutput](t)(c.ListTerms(ctx, &cip.ListTermsInput{UserPoolId: p.Id})); len(list.Terms) != 0 {
		t.Errorf("terms after their client was deleted: %+v", list.Terms)
	}
}

func TestTermsErrors(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	other := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	client := newClient(t, c, p.Id, "web")
	second := newClient(t, c, p.Id, "mobile")
	foreign := newClient(t, c, other.Id, "foreign")
	links := map[string]string{"cognito:default": "https://example.com/terms"}
	tou, err := createTerms(c, p.Id, client, "terms-of-use", links)
	if err != nil {
		t.Fatal(err)
	}
	pp, err := createTerms(c, p.Id, client, "privacy-policy", links)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := createTerms(c, p.Id, second, "terms-of-use", links); err != nil {
		t.Errorf("the same name for another client: %v", err)
	}
	_, err = createTerms(c, p.Id, client, "terms-of-use", links)
	wantErr(t, err, "TermsExistsException", "terms-of-use")
	_, err = createTerms(c, p.Id, foreign, "terms-of-use", links)
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = createTerms(c, p.Id, aws.String("nosuchclient"), "terms-of-use", links)
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = createTerms(c, aws.String("us-east-1_Nope12345"), client, "terms-of-use", links)
	wantErr(t, err, "ResourceNotFoundException", "us-east-1_Nope12345")
	_, err = createTerms(c, p.Id, second, "cookie-policy", links)
	wantErr(t, err, "InvalidParameterException", "termsName")
	_, err = createTerms(c, p.Id, second, "privacy-policy", map[string]string{"cognito:klingon": "https://example.com"})
	wantErr(t, err, "InvalidParameterException", "links")
	_, err = createTerms(c, p.Id, second, "privacy-policy", nil)
	wantErr(t, err, "InvalidParameterException", "Links")
	_, err = createTerms(c, p.Id, second, "privacy-policy", map[string]string{"cognito:default": "example.com/privacy"})
	wantErr(t, err, "InvalidParameterException", "cognito:default")
	many := map[string]string{}
	for _, l := range []string{"default", "dutch", "english", "french", "spanish", "german", "bahasa-indonesia", "italian", "japanese", "korean", "portuguese-brazil", "chinese-simplified", "chinese-traditional"} {
		many["cognito:"+l] = "https://example.com/" + l
	}
	if _, err := createTerms(c, p.Id, second, "privacy-policy", many); err != nil {
		t.Errorf("links in every language: %v", err)
	}

	_, err = c.UpdateTerms(ctx, &cip.UpdateTermsInput{UserPoolId: p.Id, TermsId: pp.TermsId, TermsName: aws.String("terms-of-use")})
	wantErr(t, err, "TermsExistsException", "terms-of-use")
	_, err = c.UpdateTerms(ctx, &cip.UpdateTermsInput{UserPoolId: p.Id, TermsId: pp.TermsId, Links: map[string]string{"cognito:default": "not a url"}})
	wantErr(t, err, "InvalidParameterException", "")
	got := must[*cip.DescribeTermsOutput](t)(c.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: p.Id, TermsId: pp.TermsId}))
	if aws.ToString(got.Terms.TermsName) != "privacy-policy" || got.Terms.Links["cognito:default"] != links["cognito:default"] {
		t.Errorf("terms after refused updates: %+v", got.Terms)
	}
	_, err = c.UpdateTerms(ctx, &cip.UpdateTermsInput{UserPoolId: other.Id, TermsId: tou.TermsId, Links: links})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = c.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: other.Id, TermsId: tou.TermsId})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = c.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: p.Id, TermsId: aws.String("not-a-uuid")})
	wantErr(t, err, "InvalidParameterException", "termsId")
	_, err = c.ListTerms(ctx, &cip.ListTermsInput{UserPoolId: aws.String("us-east-1_Nope12345")})
	wantErr(t, err, "ResourceNotFoundException", "us-east-1_Nope12345")
	_, err = c.ListTerms(ctx, &cip.ListTermsInput{UserPoolId: p.Id, NextToken: aws.String("garbage")})
	wantErr(t, err, "InvalidParameterException", "NextToken")
}

func TestListTermsPages(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	want := map[string]bool{}
	for i := range 5 {
		client := newClient(t, c, p.Id, fmt.Sprintf("c%d", i))
		x, err := createTerms(c, p.Id, client, "terms-of-use", map[string]string{"cognito:default": "https://example.com"})
		if err != nil {
			t.Fatal(err)
		}
		want[aws.ToString(x.TermsId)] = true
	}
	got := map[string]bool{}
	var token *string
	for pages := 0; ; pages++ {
		out := must[*cip.ListTermsOutput](t)(c.ListTerms(ctx, &cip.ListTermsInput{UserPoolId: p.Id, MaxResults: aws.Int32(2), NextToken: token}))
		if len(out.Terms) > 2 || pages > 3 {
			t.Fatalf("page %d has %d terms", pages, len(out.Terms))
		}
		for _, x := range out.Terms {
			if got[aws.ToString(x.TermsId)] {
				t.Errorf("%s listed twice", aws.ToString(x.TermsId))
			}
			got[aws.ToString(x.TermsId)] = true
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	diff(t, "listed terms", want, got)
}
