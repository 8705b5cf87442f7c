package e2e

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func listTags(t *testing.T, c *cip.Client, arn *string) map[string]string {
	t.Helper()
	return must[*cip.ListTagsForResourceOutput](t)(c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: arn})).Tags
}

// TestPoolTagsOneRecord checks that CreateUserPool, UpdateUserPool,
// TagResource and UntagResource write one set of tags, which
// DescribeUserPool and ListTagsForResource both read.
func TestPoolTagsOneRecord(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTags: map[string]string{"team": "identity", "env": "dev"}})
	arn := p.Arn
	want := map[string]string{"team": "identity", "env": "dev"}
	diff(t, "CreateUserPool tags", want, p.UserPoolTags)
	diff(t, "ListTagsForResource after create", want, listTags(t, c, arn))
	diff(t, "DescribeUserPool after create", want, describePool(t, c, p.Id).UserPoolTags)

	must[*cip.TagResourceOutput](t)(c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"env": "prod", "cost-center": "42"}}))
	want = map[string]string{"team": "identity", "env": "prod", "cost-center": "42"}
	diff(t, "ListTagsForResource after TagResource", want, listTags(t, c, arn))
	diff(t, "DescribeUserPool after TagResource", want, describePool(t, c, p.Id).UserPoolTags)

	must[*cip.UntagResourceOutput](t)(c.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team", "not-there"}}))
	want = map[string]string{"env": "prod", "cost-center": "42"}
	diff(t, "ListTagsForResource after UntagResource", want, listTags(t, c, arn))

	// UpdateUserPool without tags keeps them; with tags replaces them.
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: p.Id, DeletionProtection: types.DeletionProtectionTypeInactive}))
	diff(t, "ListTagsForResource after UpdateUserPool without tags", want, listTags(t, c, arn))
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: p.Id, UserPoolTags: map[string]string{"owner": "ops"}}))
	want = map[string]string{"owner": "ops"}
	diff(t, "ListTagsForResource after UpdateUserPool with tags", want, listTags(t, c, arn))
	diff(t, "DescribeUserPool after UpdateUserPool with tags", want, describePool(t, c, p.Id).UserPoolTags)

	must[*cip.UntagResourceOutput](t)(c.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"owner"}}))
	if got := listTags(t, c, arn); len(got) != 0 {
		t.Errorf("tags after removing the last: %v", got)
	}
	if got := describePool(t, c, p.Id).UserPoolTags; len(got) != 0 {
		t.Errorf("DescribeUserPool tags after removing the last: %v", got)
	}

	// Another pool's tags are its own.
	plain := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("plain")})
	if got := listTags(t, c, plain.Arn); len(got) != 0 {
		t.Errorf("tags of a pool created without any: %v", got)
	}
}

func TestTagLimits(t *testing.T) {
	_, c := start(t)
	fifty := map[string]string{}
	for i := range 50 {
		fifty[fmt.Sprintf("k%02d", i)] = "v"
	}
	p := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTags: fifty})
	if n := len(listTags(t, c, p.Arn)); n != 50 {
		t.Fatalf("%d tags, want 50", n)
	}
	_, err := c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: p.Arn, Tags: map[string]string{"k51": "v"}})
	wantErr(t, err, "InvalidParameterException", "50 tags")
	// Replacing a value keeps the count.
	must[*cip.TagResourceOutput](t)(c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: p.Arn, Tags: map[string]string{"k00": "changed"}}))
	if got := listTags(t, c, p.Arn); len(got) != 50 || got["k00"] != "changed" {
		t.Errorf("after replacing a value: %d tags, k00=%q", len(got), got["k00"])
	}

	fiftyOne := map[string]string{"one-more": "v"}
	for k, v := range fifty {
		fiftyOne[k] = v
	}
	_, err = c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("too-many"), UserPoolTags: fiftyOne})
	wantErr(t, err, "UserPoolTaggingException", "50 tags")
	_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: p.Id, UserPoolTags: fiftyOne})
	wantErr(t, err, "UserPoolTaggingException", "50 tags")
	if got := listTags(t, c, p.Arn); len(got) != 50 || got["k00"] != "changed" {
		t.Errorf("a refused UpdateUserPool changed the tags: %d tags", len(got))
	}
	_, err = c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("reserved"), UserPoolTags: map[string]string{"aws:team": "x"}})
	wantErr(t, err, "UserPoolTaggingException", "aws:")
	_, err = c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: p.Arn, Tags: map[string]string{"AWS:cloudformation:stack": "x"}})
	wantErr(t, err, "InvalidParameterException", "aws:")
	long := fmt.Sprintf("%0129d", 0)
	_, err = c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: p.Arn, Tags: map[string]string{long: "x"}})
	wantErr(t, err, "InvalidParameterException", "tags")
}

func TestTagResourceErrors(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	for _, tc := range []struct {
		name, arn, code, msg string
	}{
		{"missing pool", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Nope12345", "ResourceNotFoundException", "us-east-1_Nope12345"},
		{"another region", "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/" + aws.ToString(p.Id), "ResourceNotFoundException", ""},
		{"another account", "arn:aws:cognito-idp:us-east-1:999999999999:userpool/" + aws.ToString(p.Id), "ResourceNotFoundException", ""},
		{"not a user pool", "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/us-east-1:abc", "InvalidParameterException", "user pool"},
		{"not an ARN", "userpool-" + aws.ToString(p.Id), "InvalidParameterException", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String(tc.arn), Tags: map[string]string{"a": "b"}})
			wantErr(t, err, tc.code, tc.msg)
			_, err = c.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: aws.String(tc.arn), TagKeys: []string{"a"}})
			wantErr(t, err, tc.code, tc.msg)
			_, err = c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String(tc.arn)})
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	if got := listTags(t, c, p.Arn); len(got) != 0 {
		t.Errorf("refused requests tagged the pool: %v", got)
	}
}

// TestDeletePoolRemovesConfiguration checks that a deleted pool takes its
// domains, resource servers, terms and tags along, and frees its domain
// names.
func TestDeletePoolRemovesConfiguration(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTags: map[string]string{"a": "b"}})
	client := newClient(t, c, p.Id, "web")
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: p.Id, Domain: aws.String("doomed")}))
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: p.Id, Domain: aws.String("auth.doomed.example"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(certARN)}}))
	must[*cip.CreateResourceServerOutput](t)(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: p.Id, Identifier: aws.String("api"), Name: aws.String("API")}))
	terms, err := createTerms(c, p.Id, client, "terms-of-use", map[string]string{"cognito:default": "https://example.com"})
	if err != nil {
		t.Fatal(err)
	}
	must[*cip.DeleteUserPoolOutput](t)(c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: p.Id}))

	for _, d := range []string{"doomed", "auth.doomed.example"} {
		diff(t, "domain of a deleted pool", &types.DomainDescriptionType{}, describeDomain(t, c, d))
	}
	_, err = c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: p.Arn})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: p.Id, Identifier: aws.String("api")})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = c.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: p.Id, TermsId: terms.TermsId})
	wantErr(t, err, "ResourceNotFoundException", "")

	next := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("next")})
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: next.Id, Domain: aws.String("doomed")}))
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: next.Id, Domain: aws.String("auth.doomed.example"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(certARN)}}))
}
