package e2e

import (
	"encoding/json"
	"html"
	"io"
	"maps"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/messaging"
	"github.com/cognate-idp/cognate/internal/messaging/smtptest"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// outbox reads the development outbox of a server.
func outbox(t *testing.T, s *testserver.Server, pool, to string) []messaging.OutboxMessage {
	t.Helper()
	resp, err := http.Get(s.URL + "/_cognate/outbox?pool=" + url.QueryEscape(pool) + "&to=" + url.QueryEscape(to))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page messaging.OutboxPage
	if err := json.NewDecoder(resp.Body).Decode(&page); resp.StatusCode != 200 || err != nil {
		t.Fatalf("outbox: %d %v", resp.StatusCode, err)
	}
	return page.Messages
}

// eventually polls cond until it holds, or fails after ten seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// AdminCreateUser's invitation reaches an SMTP server through the
// dispatcher, over STARTTLS with a certificate the server's options trust,
// and leaves the outbox.
func TestInvitationByEmail(t *testing.T) {
	mta := smtptest.NewServer(t, smtptest.Options{STARTTLS: true, Username: "mailer", Password: "mail-pw"})
	cfg := testserver.NewConfig(t)
	cfg.SMTPURL = "smtp://mailer:mail-pw@" + mta.Addr + "?from=Demo%20%3Cno-reply@example.com%3E&starttls=require"
	s := testserver.StartWith(t, cfg, server.Options{SMTPTLS: mta.ClientTLS()})
	c := s.Client
	pool := aws.ToString(newPool(t, c, &cip.CreateUserPoolInput{AdminCreateUserConfig: &types.AdminCreateUserConfigType{
		InviteMessageTemplate: &types.MessageTemplateType{
			EmailSubject: aws.String("Bienvenue chez Démo"),
			EmailMessage: aws.String("Bonjour {username}, votre mot de passe temporaire est {####}"),
		},
	}}).Id)
	const temp = "Temp=Passw0rd!"
	must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &pool, Username: aws.String("amelie"), TemporaryPassword: aws.String(temp),
		UserAttributes:         []types.AttributeType{attr("email", "amelie@example.com")},
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
	}))

	m := mta.Wait(t, 1)[0]
	if !m.TLS || m.AuthUser != "mailer" || m.From != "no-reply@example.com" || !slices.Equal(m.To, []string{"amelie@example.com"}) {
		t.Errorf("session: TLS %v, AUTH %q, MAIL FROM %q, RCPT TO %v", m.TLS, m.AuthUser, m.From, m.To)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Bienvenue chez Démo" {
		t.Errorf("Subject %q: %q %v", msg.Header.Get("Subject"), subject, err)
	}
	if to, err := mail.ParseAddress(msg.Header.Get("To")); err != nil || to.Address != "amelie@example.com" {
		t.Errorf("To %q", msg.Header.Get("To"))
	}
	if from, err := mail.ParseAddress(msg.Header.Get("From")); err != nil || from.Name != "Demo" || from.Address != "no-reply@example.com" {
		t.Errorf("From %q", msg.Header.Get("From"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Bonjour amelie, votre mot de passe temporaire est " + temp + "\r\n"; string(body) != want {
		t.Errorf("body %q, want %q", body, want)
	}
	eventually(t, "an empty outbox", func() bool { return len(outbox(t, s, pool, "")) == 0 })
}

// An SMS invitation is POSTed to the webhook; while the webhook fails the
// message stays in the outbox and is tried again, and success removes it.
func TestInvitationBySMSWebhook(t *testing.T) {
	var ok atomic.Bool
	var mu sync.Mutex
	var calls []map[string]any
	first := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook request: %v %v", err, r.Header)
		}
		mu.Lock()
		calls = append(calls, body)
		if len(calls) == 1 {
			close(first)
		}
		mu.Unlock()
		if !ok.Load() {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer hook.Close()
	cfg := testserver.NewConfig(t)
	cfg.SMSWebhook = hook.URL + "/sms"
	s := testserver.StartWith(t, cfg, server.Options{})
	c := s.Client
	pool := aws.ToString(newPool(t, c, nil).Id)
	const temp = "Sms-Temp-Pw0rd!"
	out := must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &pool, Username: aws.String("sam"), TemporaryPassword: aws.String(temp),
		UserAttributes: []types.AttributeType{attr("phone_number", "+15550000001")},
	}))

	<-first
	pending := outbox(t, s, pool, "+15550000001")
	if len(pending) != 1 {
		t.Fatalf("outbox after a failed delivery: %+v", pending)
	}
	ok.Store(true)
	eventually(t, "an empty outbox", func() bool { return len(outbox(t, s, pool, "")) == 0 })
	mu.Lock()
	defer mu.Unlock()
	if len(calls) < 2 {
		t.Fatalf("%d webhook calls, want a failure then a success", len(calls))
	}
	want := map[string]any{
		"destination": "+15550000001", "text": "Your username is sam and temporary password is " + temp + ".",
		"poolId": pool, "username": aws.ToString(out.User.Username), "kind": "invitation", "messageId": pending[0].ID,
	}
	for i, call := range calls {
		if !maps.Equal(call, want) {
			t.Errorf("call %d: %v, want %v", i, call, want)
		}
	}
}

var tempPasswordRE = regexp.MustCompile(`temporary password is (\S+)\.$`)

// Without senders the outbox reader shows queued invitations with their
// temporary passwords, newest first.
func TestOutboxReader(t *testing.T) {
	s, c := start(t)
	pool := aws.ToString(newPool(t, c, nil).Id)
	const temp = "Outbox-Temp-Pw0rd!"
	// No DesiredDeliveryMediums: SMS by default, email as the user has no
	// phone number.
	must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &pool, Username: aws.String("olive"), TemporaryPassword: aws.String(temp),
		UserAttributes: []types.AttributeType{attr("email", "olive@example.com")},
	}))
	msgs := outbox(t, s, pool, "olive@example.com")
	if len(msgs) != 1 {
		t.Fatalf("outbox: %+v", msgs)
	}
	m := msgs[0]
	if m.PoolID != pool || m.Username != "olive" || m.Kind != "invitation" || m.Medium != "EMAIL" || m.Destination != "olive@example.com" ||
		m.Subject != "Your temporary password" || m.Text != "Your username is olive and temporary password is "+temp+"." || m.CreatedAt.IsZero() {
		t.Errorf("message %+v", m)
	}

	// A generated password, resent: the newest comes first and holds the
	// password now in force.
	for _, action := range []types.MessageActionType{"", types.MessageActionTypeResend} {
		must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("pete"), MessageAction: action,
			UserAttributes: []types.AttributeType{attr("phone_number", "+15550000002")},
		}))
	}
	msgs = outbox(t, s, pool, "+15550000002")
	if len(msgs) != 2 || msgs[0].Medium != "SMS" || msgs[0].CreatedAt.Before(msgs[1].CreatedAt) {
		t.Fatalf("outbox: %+v", msgs)
	}
	var pws []string
	for _, m := range msgs {
		sub := tempPasswordRE.FindStringSubmatch(m.Text)
		if sub == nil {
			t.Fatalf("no temporary password in %q", m.Text)
		}
		pws = append(pws, sub[1])
	}
	if pws[0] == pws[1] {
		t.Errorf("RESEND kept the temporary password %q", pws[0])
	}
	// An unencoded + in the query string is read as +.
	resp, err := http.Get(s.URL + "/_cognate/outbox?pool=" + pool + "&to=+15550000002")
	if err != nil {
		t.Fatal(err)
	}
	var page messaging.OutboxPage
	json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if len(page.Messages) != 2 {
		t.Errorf("to=+15550000002 unencoded: %+v", page.Messages)
	}
	// Other filters.
	if n := len(outbox(t, s, pool, "")); n != 3 {
		t.Errorf("whole pool: %d messages, want 3", n)
	}
	if n := len(outbox(t, s, "us-east-1_none", "")); n != 0 {
		t.Errorf("unknown pool: %d messages", n)
	}

	resp, err = http.Get(s.URL + "/_cognate/outbox.html?pool=" + pool)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// Passwords may hold characters the page escapes (&, <, +): compare the
	// text the browser shows.
	text := html.UnescapeString(string(body))
	if resp.StatusCode != 200 || !strings.Contains(text, temp) || !strings.Contains(text, pws[0]) {
		t.Errorf("outbox.html: %d\n%s", resp.StatusCode, body)
	}
}

// With --outbox=false the reader is not served; the API is.
func TestOutboxDisabled(t *testing.T) {
	cfg := testserver.NewConfig(t)
	cfg.Outbox = false
	s := testserver.StartWith(t, cfg, server.Options{})
	pool := aws.ToString(newPool(t, s.Client, nil).Id)
	must[*cip.AdminCreateUserOutput](t)(s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &pool, Username: aws.String("quinn"), UserAttributes: []types.AttributeType{attr("email", "quinn@example.com")},
	}))
	for _, path := range []string{"/_cognate/outbox?pool=" + pool, "/_cognate/outbox.html"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || strings.Contains(string(body), "quinn") {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
}
