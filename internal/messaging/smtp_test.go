package messaging

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/messaging/smtptest"
)

// smtpSender parses url (with %s for the test server's address) and trusts
// the test server's certificate.
func smtpSender(t *testing.T, srv *smtptest.Server, url string) *SMTP {
	t.Helper()
	s, err := ParseSMTPURL(strings.Replace(url, "ADDR", srv.Addr, 1))
	if err != nil {
		t.Fatal(err)
	}
	s.TLSConfig = srv.ClientTLS()
	s.LocalName = "cognate.test"
	return s
}

var invitation = &Message{
	ID: "6a1d0b5e-0b8f-4e55-9d3c-3f0f1b2c3d4e", PoolID: "us-east-1_abc", Username: "bob", Kind: KindInvitation,
	Destination: "bob@example.com",
	Body: Body{
		Subject: "Votre mot de passe temporaire – bienvenue",
		Text: "Your username is bob and temporary password is Pa=ss.w0rd!\n" +
			".a line that starts with a dot\n" +
			"Ünïcödé, and a line longer than seventy-six characters so that quoted-printable has to wrap it somewhere.",
	},
}

// received parses a message the test server accepted and checks the
// headers every message must have.
func received(t *testing.T, m smtptest.Message) (mail.Header, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, m.Data)
	}
	h := msg.Header
	if _, err := mail.ParseDate(h.Get("Date")); err != nil {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	if h.Get("MIME-Version") != "1.0" {
		t.Errorf("MIME-Version %q", h.Get("MIME-Version"))
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type %q", h.Get("Content-Type"))
	}
	if h.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("Content-Transfer-Encoding %q", h.Get("Content-Transfer-Encoding"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return h, strings.ReplaceAll(string(body), "\r\n", "\n")
}

func TestSMTPSTARTTLSAndAuth(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.Options{STARTTLS: true, Username: "mailer", Password: "s3cret pass"})
	s := smtpSender(t, srv, "smtp://mailer:s3cret%20pass@ADDR?from=Cognate%20%3Cno-reply@example.com%3E&starttls=require")
	if err := s.SendEmail(t.Context(), invitation); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if !m.TLS || m.AuthUser != "mailer" || m.Helo != "cognate.test" || m.From != "no-reply@example.com" || !cmp.Equal(m.To, []string{"bob@example.com"}) {
		t.Errorf("session: TLS %v, AUTH %q, EHLO %q, MAIL FROM %q, RCPT TO %q", m.TLS, m.AuthUser, m.Helo, m.From, m.To)
	}
	h, body := received(t, m)
	from, err := mail.ParseAddress(h.Get("From"))
	if err != nil || from.Name != "Cognate" || from.Address != "no-reply@example.com" {
		t.Errorf("From %q", h.Get("From"))
	}
	to, err := mail.ParseAddress(h.Get("To"))
	if err != nil || to.Address != "bob@example.com" {
		t.Errorf("To %q", h.Get("To"))
	}
	raw := h.Get("Subject")
	if !strings.HasPrefix(raw, "=?UTF-8?q?") {
		t.Errorf("a non-ASCII subject is not RFC 2047 Q-encoded: %q", raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil || subject != invitation.Subject {
		t.Errorf("Subject %q decodes to %q, %v", raw, subject, err)
	}
	if h.Get("Message-ID") != "<"+invitation.ID+"@example.com>" {
		t.Errorf("Message-ID %q", h.Get("Message-ID"))
	}
	if body != invitation.Text+"\n" {
		t.Errorf("body:\n%q\nwant\n%q", body, invitation.Text+"\n")
	}
	for _, line := range strings.Split(string(m.Data), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line of %d characters: %q", len(line), line)
		}
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.Options{ImplicitTLS: true, Username: "mailer", Password: "pw"})
	s := smtpSender(t, srv, "smtps://mailer:pw@ADDR?from=no-reply@example.com")
	if err := s.SendEmail(t.Context(), invitation); err != nil {
		t.Fatal(err)
	}
	if m := srv.Wait(t, 1)[0]; !m.TLS || m.AuthUser != "mailer" {
		t.Errorf("TLS %v, AUTH %q", m.TLS, m.AuthUser)
	}
}

// Without STARTTLS on offer, smtp:// sends in plain text unless
// starttls=require.
func TestSMTPPlainText(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.Options{})
	s := smtpSender(t, srv, "smtp://ADDR?from=no-reply@example.com")
	if err := s.SendEmail(t.Context(), invitation); err != nil {
		t.Fatal(err)
	}
	if m := srv.Wait(t, 1)[0]; m.TLS || m.AuthUser != "" {
		t.Errorf("TLS %v, AUTH %q", m.TLS, m.AuthUser)
	}
	s = smtpSender(t, srv, "smtp://ADDR?from=no-reply@example.com&starttls=require")
	if err := s.SendEmail(t.Context(), invitation); err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") {
		t.Errorf("starttls=require without STARTTLS: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestSMTPFailures(t *testing.T) {
	cases := []struct {
		name    string
		opts    smtptest.Options
		url     string
		untrust bool
		wantErr string
	}{
		{"untrusted certificate", smtptest.Options{STARTTLS: true}, "smtp://ADDR?from=a@example.com", true, "certificate"},
		{"untrusted certificate, implicit TLS", smtptest.Options{ImplicitTLS: true}, "smtps://ADDR?from=a@example.com", true, "certificate"},
		{"wrong password", smtptest.Options{STARTTLS: true, Username: "u", Password: "right"}, "smtp://u:wrong@ADDR?from=a@example.com", false, "535"},
		{"no credentials where required", smtptest.Options{STARTTLS: true, Username: "u", Password: "p"}, "smtp://ADDR?from=a@example.com", false, "530"},
		{"credentials but no AUTH", smtptest.Options{STARTTLS: true}, "smtp://u:p@ADDR?from=a@example.com", false, "does not offer AUTH"},
		{"recipient rejected", smtptest.Options{Reply: func(verb, _ string) string {
			if verb == "RCPT" {
				return "550 5.1.1 <bob@example.com>: mailbox unavailable"
			}
			return ""
		}}, "smtp://ADDR?from=a@example.com", false, "550"},
		{"temporary failure at DATA", smtptest.Options{Reply: func(verb, _ string) string {
			if verb == "DATA" {
				return "451 4.3.0 try again later"
			}
			return ""
		}}, "smtp://ADDR?from=a@example.com", false, "451"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.NewServer(t, tc.opts)
			s := smtpSender(t, srv, tc.url)
			if tc.untrust {
				s.TLSConfig = nil
			}
			err := s.SendEmail(t.Context(), invitation)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages accepted", n)
			}
		})
	}
}

// The context's deadline ends an exchange the server stalls.
func TestSMTPContext(t *testing.T) {
	release := make(chan struct{})
	srv := smtptest.NewServer(t, smtptest.Options{Reply: func(verb, _ string) string {
		if verb == "MAIL" {
			<-release
		}
		return ""
	}})
	defer close(release)
	s := smtpSender(t, srv, "smtp://ADDR?from=a@example.com")
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := s.SendEmail(ctx, invitation); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the deadline", err)
	}
}

// Line breaks in a subject never start a header of their own.
func TestSMTPHeaderInjection(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.Options{})
	s := smtpSender(t, srv, "smtp://ADDR?from=a@example.com")
	m := *invitation
	m.Subject = "Welcome\r\nBcc: eve@example.com"
	if err := s.SendEmail(t.Context(), &m); err != nil {
		t.Fatal(err)
	}
	h, _ := received(t, srv.Wait(t, 1)[0])
	if h.Get("Bcc") != "" || h.Get("Subject") != "Welcome Bcc: eve@example.com" {
		t.Errorf("Subject %q, Bcc %q", h.Get("Subject"), h.Get("Bcc"))
	}
	m.Destination = "bob@example.com\r\nBcc: eve@example.com"
	if err := s.SendEmail(t.Context(), &m); err == nil {
		t.Error("a destination with a line break was sent")
	}
}

func TestParseSMTPURL(t *testing.T) {
	ok := []struct {
		url  string
		want SMTP
	}{
		{"smtp://mail.example.com?from=no-reply@example.com", SMTP{Addr: "mail.example.com:587", From: mail.Address{Address: "no-reply@example.com"}}},
		{"smtp://u:p%40ss@mail.example.com:25?from=no-reply@example.com&starttls=require",
			SMTP{Addr: "mail.example.com:25", RequireSTARTTLS: true, Username: "u", Password: "p@ss", From: mail.Address{Address: "no-reply@example.com"}}},
		{"smtp://mail.example.com?from=no-reply@example.com&starttls=auto", SMTP{Addr: "mail.example.com:587", From: mail.Address{Address: "no-reply@example.com"}}},
		{"smtps://u:p@[::1]?from=Cognate+%3Cno-reply@example.com%3E",
			SMTP{Addr: "[::1]:465", ImplicitTLS: true, Username: "u", Password: "p", From: mail.Address{Name: "Cognate", Address: "no-reply@example.com"}}},
	}
	for _, tc := range ok {
		got, err := ParseSMTPURL(tc.url)
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if d := cmp.Diff(tc.want, *got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.url, d)
		}
	}
	bad := []struct{ url, wantErr string }{
		{"http://mail.example.com?from=a@example.com", "scheme"},
		{"mail.example.com:25", "scheme"},
		{"smtp://?from=a@example.com", "no host"},
		{"smtp://mail.example.com", "no sender"},
		{"smtp://mail.example.com?from=not-an-address", "from="},
		{"smtp://mail.example.com?from=a@example.com&starttls=never", "starttls"},
		{"smtps://mail.example.com?from=a@example.com&starttls=require", "smtps://"},
		{"smtp://mail.example.com?from=a@example.com&form=b", `unknown parameter "form"`},
		{"smtp://mail.example.com/path?from=a@example.com", "path"},
		{"smtp://:topsecret@mail.example.com?from=a@example.com", "password without a user name"},
		{"smtp://user:topsecret@mail.example.com:port?from=a@example.com", "port"},
		{"smtp://user:top secret@mail.example.com:25?from=a@example.com", "URL"},
	}
	for _, tc := range bad {
		_, err := ParseSMTPURL(tc.url)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: error %v, want one containing %q", tc.url, err, tc.wantErr)
			continue
		}
		mustNotContain(t, "error", err.Error(), "topsecret", "top secret")
	}
}
