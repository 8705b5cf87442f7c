package e2e

import (
	"fmt"
	"go/token"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

// sdkShapes compares SDK shapes by their exported fields.
var sdkShapes = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && !token.IsExported(sf.Name())
}, cmp.Ignore())

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, sdkShapes); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

const certARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f6c1b1e-5d1e-4c7a-9a55-2f0f1e3c4d5e"

var cloudFront = regexp.MustCompile(`^d[a-z2-7]{13}\.cloudfront\.net$`)

func describeDomain(t *testing.T, c *cip.Client, domain string) *types.DomainDescriptionType {
	t.Helper()
	out, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String(domain)})
	if err != nil {
		t.Fatalf("DescribeUserPoolDomain %s: %v", domain, err)
	}
	if out.DomainDescription == nil {
		t.Fatalf("DescribeUserPoolDomain %s: no DomainDescription", domain)
	}
	return out.DomainDescription
}

func describePool(t *testing.T, c *cip.Client, id *string) *types.UserPoolType {
	t.Helper()
	return must[*cip.DescribeUserPoolOutput](t)(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})).UserPool
}

func TestUserPoolDomainLifecycle(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)

	// A prefix domain, with Cognito's defaults.
	created := must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{
		UserPoolId: p.Id, Domain: aws.String("myapp-login"),
	}))
	if aws.ToInt32(created.ManagedLoginVersion) != 1 || created.CloudFrontDomain != nil {
		t.Errorf("CreateUserPoolDomain prefix: version %v, CloudFrontDomain %v; want 1 and none",
			aws.ToInt32(created.ManagedLoginVersion), aws.ToString(created.CloudFrontDomain))
	}
	got := describeDomain(t, c, "myapp-login")
	if !cloudFront.MatchString(aws.ToString(got.CloudFrontDistribution)) || aws.ToString(got.S3Bucket) == "" || aws.ToString(got.Version) == "" {
		t.Errorf("prefix domain: CloudFrontDistribution %q, S3Bucket %q, Version %q",
			aws.ToString(got.CloudFrontDistribution), aws.ToString(got.S3Bucket), aws.ToString(got.Version))
	}
	diff(t, "prefix domain", &types.DomainDescriptionType{
		UserPoolId: p.Id, AWSAccountId: aws.String("123456789012"), Domain: aws.String("myapp-login"),
		S3Bucket: got.S3Bucket, CloudFrontDistribution: got.CloudFrontDistribution, Version: got.Version,
		Status: types.DomainStatusTypeActive, ManagedLoginVersion: aws.Int32(1),
	}, got)
	if pool := describePool(t, c, p.Id); aws.ToString(pool.Domain) != "myapp-login" || pool.CustomDomain != nil {
		t.Errorf("DescribeUserPool: Domain %q, CustomDomain %q", aws.ToString(pool.Domain), aws.ToString(pool.CustomDomain))
	}

	// A custom domain beside it, with managed login.
	created = must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{
		UserPoolId: p.Id, Domain: aws.String("auth.example.com"), ManagedLoginVersion: aws.Int32(2),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(certARN)},
	}))
	if aws.ToInt32(created.ManagedLoginVersion) != 2 || !cloudFront.MatchString(aws.ToString(created.CloudFrontDomain)) {
		t.Errorf("CreateUserPoolDomain custom: version %v, CloudFrontDomain %q",
			aws.ToInt32(created.ManagedLoginVersion), aws.ToString(created.CloudFrontDomain))
	}
	got = describeDomain(t, c, "auth.example.com")
	diff(t, "custom domain", &types.DomainDescriptionType{
		UserPoolId: p.Id, AWSAccountId: aws.String("123456789012"), Domain: aws.String("auth.example.com"),
		S3Bucket: got.S3Bucket, CloudFrontDistribution: created.CloudFrontDomain, Version: got.Version,
		Status:             types.DomainStatusTypeActive,
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(certARN)}, ManagedLoginVersion: aws.Int32(2),
	}, got)
	pool := describePool(t, c, p.Id)
	if aws.ToString(pool.Domain) != "myapp-login" || aws.ToString(pool.CustomDomain) != "auth.example.com" {
		t.Errorf("DescribeUserPool: Domain %q, CustomDomain %q", aws.ToString(pool.Domain), aws.ToString(pool.CustomDomain))
	}

	// Updates change what they give and keep the rest.
	updated := must[*cip.UpdateUserPoolDomainOutput](t)(c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{
		UserPoolId: p.Id, Domain: aws.String("myapp-login"), ManagedLoginVersion: aws.Int32(2),
	}))
	if aws.ToInt32(updated.ManagedLoginVersion) != 2 || updated.CloudFrontDomain != nil {
		t.Errorf("UpdateUserPoolDomain prefix: %+v", updated)
	}
	if v := describeDomain(t, c, "myapp-login").ManagedLoginVersion; aws.ToInt32(v) != 2 {
		t.Errorf("prefix domain version after update = %d", aws.ToInt32(v))
	}
	newCert := "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-4333-8444-555555555555"
	updated = must[*cip.UpdateUserPoolDomainOutput](t)(c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{
		UserPoolId: p.Id, Domain: aws.String("auth.example.com"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(newCert)},
	}))
	if aws.ToString(updated.CloudFrontDomain) != aws.ToString(created.CloudFrontDomain) || aws.ToInt32(updated.ManagedLoginVersion) != 2 {
		t.Errorf("UpdateUserPoolDomain custom: %+v", updated)
	}
	got = describeDomain(t, c, "auth.example.com")
	if aws.ToString(got.CustomDomainConfig.CertificateArn) != newCert || aws.ToInt32(got.ManagedLoginVersion) != 2 {
		t.Errorf("custom domain after update: %+v", got)
	}

	// Deleting a domain frees its name; the pool keeps the other.
	must[*cip.DeleteUserPoolDomainOutput](t)(c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: p.Id, Domain: aws.String("myapp-login")}))
	diff(t, "deleted domain", &types.DomainDescriptionType{}, describeDomain(t, c, "myapp-login"))
	pool = describePool(t, c, p.Id)
	if pool.Domain != nil || aws.ToString(pool.CustomDomain) != "auth.example.com" {
		t.Errorf("DescribeUserPool after delete: Domain %q, CustomDomain %q", aws.ToString(pool.Domain), aws.ToString(pool.CustomDomain))
	}
	other := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: other.Id, Domain: aws.String("myapp-login")}))
	if got := describeDomain(t, c, "myapp-login"); aws.ToString(got.UserPoolId) != aws.ToString(other.Id) {
		t.Errorf("re-created domain belongs to %s", aws.ToString(got.UserPoolId))
	}
}

func TestDescribeUnknownUserPoolDomain(t *testing.T) {
	_, c := start(t)
	diff(t, "unknown domain", &types.DomainDescriptionType{}, describeDomain(t, c, "nobody-has-this"))
}

func TestUserPoolDomainErrors(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	other := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	lite := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("lite"), UserPoolTier: types.UserPoolTierTypeLite})
	create := func(pool *string, domain string, version *int32, cert string) error {
		in := &cip.CreateUserPoolDomainInput{UserPoolId: pool, Domain: aws.String(domain), ManagedLoginVersion: version}
		if cert != "" {
			in.CustomDomainConfig = &types.CustomDomainConfigType{CertificateArn: aws.String(cert)}
		}
		_, err := c.CreateUserPoolDomain(ctx, in)
		return err
	}
	if err := create(p.Id, "taken", nil, ""); err != nil {
		t.Fatal(err)
	}
	if err := create(p.Id, "login.example.com", nil, certARN); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		err       error
		code, msg string
	}{
		{"second prefix domain", create(p.Id, "another", nil, ""), "InvalidParameterException", "User pool already has a domain configured."},
		{"second custom domain", create(p.Id, "id.example.com", nil, certARN), "InvalidParameterException", "User pool already has a domain configured."},
		{"prefix of another pool", create(other.Id, "taken", nil, ""), "InvalidParameterException", "Domain already associated with another user pool."},
		{"custom domain of another pool", create(other.Id, "login.example.com", nil, certARN), "InvalidParameterException", "Domain already associated with another user pool."},
		{"reserved aws", create(other.Id, "my-aws-app", nil, ""), "InvalidParameterException", "Domain cannot contain reserved word: aws"},
		{"reserved amazon", create(other.Id, "amazonians", nil, ""), "InvalidParameterException", "Domain cannot contain reserved word: amazon"},
		{"reserved cognito", create(other.Id, "mycognito", nil, ""), "InvalidParameterException", "Domain cannot contain reserved word: cognito"},
		{"prefix with dots", create(other.Id, "a.b", nil, ""), "InvalidParameterException", "invalid character"},
		{"upper case", create(other.Id, "MyApp", nil, ""), "InvalidParameterException", "failed to satisfy constraint"},
		{"custom domain not qualified", create(other.Id, "intranet", nil, certARN), "InvalidParameterException", "fully qualified"},
		{"certificate outside us-east-1", create(other.Id, "auth.other.com", nil, "arn:aws:acm:eu-west-1:123456789012:certificate/abc"),
			"InvalidParameterException", "isn't in us-east-1 region"},
		{"not a certificate", create(other.Id, "auth.other.com", nil, "arn:aws:iam::123456789012:role/x"), "InvalidParameterException", "SSL certificate"},
		{"unknown version", create(other.Id, "fine-prefix", aws.Int32(3), ""), "InvalidParameterException", "ManagedLoginVersion"},
		{"managed login on Lite", create(lite.Id, "lite-prefix", aws.Int32(2), ""), "FeatureUnavailableInTierException", "Lite"},
		{"missing pool", create(aws.String("us-east-1_Nope12345"), "fine-prefix", nil, ""), "ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist."},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.err, tc.code, tc.msg) })
	}
	// Lite pools have the classic hosted UI.
	if err := create(lite.Id, "lite-prefix", aws.Int32(1), ""); err != nil {
		t.Errorf("classic hosted UI on Lite: %v", err)
	}
	if _, err := c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: lite.Id, Domain: aws.String("lite-prefix"), ManagedLoginVersion: aws.Int32(2)}); err != nil {
		wantErr(t, err, "FeatureUnavailableInTierException", "Lite")
	} else {
		t.Error("UpdateUserPoolDomain to managed login on Lite succeeded")
	}

	_, err := c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: other.Id, Domain: aws.String("taken"), ManagedLoginVersion: aws.Int32(2)})
	wantErr(t, err, "InvalidParameterException", "No such domain or user pool exists.")
	_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: aws.String("us-east-1_Nope12345"), Domain: aws.String("taken"), ManagedLoginVersion: aws.Int32(2)})
	wantErr(t, err, "InvalidParameterException", "No such domain or user pool exists.")
	_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: p.Id, Domain: aws.String("taken"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(certARN)}})
	wantErr(t, err, "InvalidParameterException", "prefix domain")
	_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: p.Id, Domain: aws.String("login.example.com"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String("arn:aws:acm:us-west-2:123456789012:certificate/abc")}})
	wantErr(t, err, "InvalidParameterException", "isn't in us-east-1 region")
	if got := describeDomain(t, c, "login.example.com"); aws.ToString(got.CustomDomainConfig.CertificateArn) != certARN {
		t.Errorf("a refused update changed the certificate to %s", aws.ToString(got.CustomDomainConfig.CertificateArn))
	}

	_, err = c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: other.Id, Domain: aws.String("taken")})
	wantErr(t, err, "InvalidParameterException", "No such domain or user pool exists.")
	_, err = c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: p.Id, Domain: aws.String("never-made")})
	wantErr(t, err, "InvalidParameterException", "No such domain or user pool exists.")
	if got := describeDomain(t, c, "taken"); aws.ToString(got.UserPoolId) != aws.ToString(p.Id) {
		t.Errorf("a refused delete removed the domain: %+v", got)
	}
}

func TestUserPoolDomainRouting(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	routing := &types.RoutingType{Failover: &types.FailoverType{
		SecondaryRegion: aws.String("us-west-2"), PrimaryRoute53HealthCheckId: aws.String("abcdef01-2345-6789-abcd-ef0123456789"),
	}}
	_, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: p.Id, Domain: aws.String("routed"), Routing: routing})
	wantErr(t, err, "InvalidParameterException", "custom domains")
	out := must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{
		UserPoolId: p.Id, Domain: aws.String("auth.routed.example"), Routing: routing,
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(certARN)},
	}))
	diff(t, "CreateUserPoolDomain routing", routing, out.Routing)
	diff(t, "described routing", routing, describeDomain(t, c, "auth.routed.example").Routing)
}

// TestCustomDomainQuota checks Cognito's quota of custom domains per
// account, across pools; prefix domains do not count.
func TestCustomDomainQuota(t *testing.T) {
	_, c := start(t)
	for i := range 5 {
		p := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String(fmt.Sprintf("p%d", i))})
		_, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: p.Id, Domain: aws.String(fmt.Sprintf("prefix-%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: p.Id, Domain: aws.String(fmt.Sprintf("auth%d.example.com", i)),
			CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(certARN)}})
		if i < 4 && err != nil {
			t.Fatalf("custom domain %d: %v", i, err)
		}
		if i == 4 {
			wantErr(t, err, "LimitExceededException", "4 custom domains")
		}
	}
}
