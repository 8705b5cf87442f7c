package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// With --tls-cert and --tls-key and no --hosted-url, the default hosted
// URL is https: discovery names https endpoints and the hosted pages
// redirect to https.
func TestTLSDefaultHostedURL(t *testing.T) {
	dir := t.TempDir()
	cfg := testserver.NewConfig(t)
	cfg.TLSCert, cfg.TLSKey = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeCert(t, cfg.TLSCert, cfg.TLSKey, "hosted")
	s := testserver.StartWith(t, cfg, server.Options{})
	base := "https://" + strings.TrimPrefix(s.URL, "http://")
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL, "http://"))
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // a self-signed test certificate
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, p, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(host, ".localhost") {
				addr = net.JoinHostPort("127.0.0.1", p)
			}
			return d.DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c := testserver.NewClient(base, "us-east-1", tr)

	pool := aws.ToString(newPool(t, c, nil).Id)
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String("tls-e2e")}))
	client := aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid"}, CallbackURLs: []string{"https://app.example.com/cb"}, SupportedIdentityProviders: []string{"COGNITO"},
	})).UserPoolClient.ClientId)

	hosted := "https://tls-e2e.auth.localhost:" + port
	resp, err := hc.Get(base + "/" + pool + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disc map[string]any
	json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if disc["issuer"] != base+"/"+pool {
		t.Errorf("issuer %v, want %s", disc["issuer"], base+"/"+pool)
	}
	for _, k := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint"} {
		if v, _ := disc[k].(string); !strings.HasPrefix(v, hosted+"/") {
			t.Errorf("%s %q, want it under %s", k, v, hosted)
		}
	}

	q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {"https://app.example.com/cb"}, "scope": {"openid"}}
	resp, err = hc.Get(hosted + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil || loc.Scheme != "https" || loc.Host != "tls-e2e.auth.localhost:"+port {
		t.Fatalf("authorize: %d, Location %v (%v)", resp.StatusCode, loc, err)
	}
	// The login page it sends to answers over https.
	resp, err = hc.Get(loc.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login page over https: %d", resp.StatusCode)
	}
}
