package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/messaging/smtptest"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// scrape returns the text of GET /metrics.
func scrape(t *testing.T, s *testserver.Server) string {
	t.Helper()
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// /metrics counts sign-ins by flow and outcome, messages by channel and
// outcome, and times the store's calls by kind.
func TestMetricsSignInsMessagesStore(t *testing.T) {
	mta := smtptest.NewServer(t, smtptest.Options{})
	cfg := testserver.NewConfig(t)
	cfg.SMTPURL = "smtp://" + mta.Addr + "?from=no-reply@example.com"
	s := testserver.StartWith(t, cfg, server.Options{})
	c := s.Client
	pool := newPool(t, c, nil).Id
	client := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool, ClientName: aws.String("app"), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})).UserPoolClient.ClientId
	must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: pool, Username: aws.String("ines"), UserAttributes: []types.AttributeType{attr("email", "ines@example.com")},
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
	}))
	mta.Wait(t, 1)
	must[*cip.AdminSetUserPasswordOutput](t)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool, Username: aws.String("ines"), Password: aws.String(signupPassword), Permanent: true}))
	signIn := func(pw string) error {
		_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "ines", "PASSWORD": pw}})
		return err
	}
	wantErr(t, signIn("wrong-Passw0rd!"), "NotAuthorizedException", "")
	if err := signIn(signupPassword); err != nil {
		t.Fatal(err)
	}

	want := []string{
		`cognate_sign_ins_total{flow="USER_PASSWORD_AUTH",outcome="success"} 1`,
		`cognate_sign_ins_total{flow="USER_PASSWORD_AUTH",outcome="NotAuthorizedException"} 1`,
		`cognate_messages_total{channel="EMAIL",outcome="sent"} 1`,
		`cognate_store_duration_seconds_count{kind="read"} `,
		`cognate_store_duration_seconds_count{kind="write"} `,
		`cognate_store_duration_seconds_count{kind="transaction"} `,
	}
	// The dispatcher counts the message once the SMTP server has answered
	// its send, which can be just after the server has it.
	var text string
	for range 100 {
		if text = scrape(t, s); strings.Contains(text, want[2]) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	if strings.Contains(text, signupPassword) || strings.Contains(text, "ines@example.com") {
		t.Error("/metrics shows a password or an email address")
	}
}
