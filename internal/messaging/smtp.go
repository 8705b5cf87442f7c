package messaging

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/seal"
)

// SMTP sends email through an SMTP server (a relay or a submission
// service). ParseSMTPURL makes one from --smtp-url.
//
// Each message takes one connection. Without ImplicitTLS the client upgrades
// the connection with STARTTLS whenever the server offers it (and fails if
// RequireSTARTTLS is set and the server does not); the server's certificate
// is always verified. With a Username it authenticates with AUTH PLAIN,
// which net/smtp refuses to do over an unencrypted connection except to
// localhost.
type SMTP struct {
	// Addr is the server's host:port.
	Addr string
	// ImplicitTLS speaks TLS from the first byte (smtps://, port 465).
	ImplicitTLS bool
	// RequireSTARTTLS fails delivery when the server does not offer
	// STARTTLS.
	RequireSTARTTLS bool
	// Username and Password authenticate with AUTH PLAIN when Username is
	// set.
	Username string
	Password seal.Secret
	// From is the sender, in the envelope and the From header.
	From mail.Address
	// TLSConfig is the client's TLS configuration (for example RootCAs that
	// trust a test server); nil means the system roots. ServerName defaults
	// to Addr's host.
	TLSConfig *tls.Config
	// LocalName is the name given in EHLO; the host name when empty.
	LocalName string
	// Timeout bounds connecting; the context bounds the whole exchange.
	// Ten seconds when zero.
	Timeout time.Duration
	// Now is the clock of the Date header; time.Now when nil.
	Now func() time.Time
}

// SMTP URL schemes and their default ports.
var smtpPorts = map[string]string{"smtp": "587", "smtps": "465"}

// ParseSMTPURL parses an SMTP URL:
//
//	smtp://user:password@host:port?from=no-reply@example.com
//	smtps://user:password@host:port?from=no-reply@example.com
//
// smtp:// connects in plain text and upgrades with STARTTLS when the server
// offers it, or fails without it when the query says starttls=require; its
// port defaults to 587. smtps:// uses TLS from the start; its port defaults
// to 465. The credentials are optional; from is required. Errors never
// repeat the password.
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("not a URL: %w", err)
	}
	port, ok := smtpPorts[u.Scheme]
	if !ok {
		return nil, errors.New("the scheme must be smtp:// or smtps://")
	}
	if u.Hostname() == "" {
		return nil, errors.New("no host")
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" {
		return nil, errors.New("a path or fragment has no meaning here")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	s := &SMTP{Addr: net.JoinHostPort(u.Hostname(), port), ImplicitTLS: u.Scheme == "smtps"}
	if u.User != nil {
		s.Username = u.User.Username()
		p, _ := u.User.Password()
		s.Password = seal.Secret(p)
		if s.Username == "" {
			return nil, errors.New("a password without a user name")
		}
	}
	q := u.Query()
	for name := range q {
		if name != "from" && name != "starttls" {
			return nil, fmt.Errorf("unknown parameter %q (known: from, starttls)", name)
		}
	}
	switch q.Get("starttls") {
	case "", "auto":
	case "require":
		if s.ImplicitTLS {
			return nil, errors.New("starttls=require is for smtp://; smtps:// is TLS from the start")
		}
		s.RequireSTARTTLS = true
	default:
		return nil, fmt.Errorf("starttls=%q: want auto or require", q.Get("starttls"))
	}
	if q.Get("from") == "" {
		return nil, errors.New("no sender: add ?from=no-reply@example.com")
	}
	from, err := mail.ParseAddress(q.Get("from"))
	if err != nil {
		return nil, fmt.Errorf("from=%q: %w", q.Get("from"), err)
	}
	s.From = *from
	return s, nil
}

// SendEmail implements Email: it delivers m to its Destination. Error
// messages may quote the server, which may quote the recipient.
func (s *SMTP) SendEmail(ctx context.Context, m *Message) error {
	to, err := mail.ParseAddress(m.Destination)
	if err != nil {
		return errors.New("smtp: the destination is not an email address")
	}
	msg, err := s.compose(m, to)
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("smtp: address %q: %w", s.Addr, err)
	}
	conn, err := s.dial(ctx, host)
	if err != nil {
		return s.fail(ctx, "connect", err)
	}
	// net/smtp knows no contexts: the context's end closes the connection.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return s.fail(ctx, "greeting", err)
	}
	defer c.Close()
	if err := c.Hello(s.localName()); err != nil {
		return s.fail(ctx, "EHLO", err)
	}
	if !s.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig(host)); err != nil {
				return s.fail(ctx, "STARTTLS", err)
			}
		} else if s.RequireSTARTTLS {
			return fmt.Errorf("smtp: %s does not offer STARTTLS, and starttls=require", s.Addr)
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("smtp: %s does not offer AUTH, and the URL has credentials", s.Addr)
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, string(s.Password), host)); err != nil {
			return s.fail(ctx, "AUTH", err)
		}
	}
	if err := c.Mail(s.From.Address); err != nil {
		return s.fail(ctx, "MAIL FROM", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return s.fail(ctx, "RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return s.fail(ctx, "DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return s.fail(ctx, "DATA", err)
	}
	if err := w.Close(); err != nil {
		return s.fail(ctx, "DATA", err)
	}
	// The message is accepted; a failed QUIT changes nothing.
	c.Quit()
	return nil
}

// fail describes an error of an SMTP step, or the context's end that
// caused it.
func (s *SMTP) fail(ctx context.Context, step string, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		err = cause
	} else if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		// The connection's deadline, which is the context's, fired first.
		err = context.DeadlineExceeded
	}
	return fmt.Errorf("smtp: %s: %s: %w", s.Addr, step, err)
}

func (s *SMTP) dial(ctx context.Context, host string) (net.Conn, error) {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	d := &net.Dialer{Timeout: timeout}
	if s.ImplicitTLS {
		return (&tls.Dialer{NetDialer: d, Config: s.tlsConfig(host)}).DialContext(ctx, "tcp", s.Addr)
	}
	return d.DialContext(ctx, "tcp", s.Addr)
}

func (s *SMTP) tlsConfig(host string) *tls.Config {
	c := &tls.Config{}
	if s.TLSConfig != nil {
		c = s.TLSConfig.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

func (s *SMTP) localName() string {
	if s.LocalName != "" {
		return s.LocalName
	}
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n") {
		return h
	}
	return "localhost"
}

// compose writes the message: RFC 5322 headers and a quoted-printable
// UTF-8 plain-text body.
func (s *SMTP) compose(m *Message, to *mail.Address) ([]byte, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	domain := s.From.Address[strings.LastIndexByte(s.From.Address, '@')+1:]
	// A subject is one line: line breaks in a template must not start new
	// headers.
	subject := strings.Join(strings.Fields(m.Subject), " ")
	var b bytes.Buffer
	for _, h := range [][2]string{
		{"From", s.From.String()},
		{"To", (&mail.Address{Address: to.Address}).String()},
		{"Subject", mime.QEncoding.Encode("UTF-8", subject)},
		{"Date", now().Format(time.RFC1123Z)},
		{"Message-ID", "<" + m.ID + "@" + domain + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=UTF-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
	} {
		if strings.ContainsAny(h[1], "\r\n") {
			return nil, fmt.Errorf("smtp: the %s header would be malformed", h[0])
		}
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if _, err := qp.Write([]byte(text)); err != nil {
		return nil, fmt.Errorf("smtp: encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("smtp: encode body: %w", err)
	}
	return b.Bytes(), nil
}
