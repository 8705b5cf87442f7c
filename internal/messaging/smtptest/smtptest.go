// Package smtptest runs an SMTP server on a loopback port for tests, as
// net/http/httptest does for HTTP: it speaks enough of RFC 5321 for a
// submission client (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET,
// NOOP, QUIT), strictly (CRLF line endings only, commands in order), and
// records the messages it accepts.
package smtptest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a Server.
type Options struct {
	// STARTTLS offers STARTTLS with a self-signed certificate for 127.0.0.1
	// and localhost; ClientTLS trusts it.
	STARTTLS bool
	// ImplicitTLS speaks TLS from the first byte (smtps), with the same
	// certificate.
	ImplicitTLS bool
	// Username and Password, when Username is set, make the server offer
	// AUTH PLAIN and refuse MAIL before a successful AUTH.
	Username, Password string
	// Reply, when set, may answer a command in the server's place: it gets
	// the command's verb (upper case) and argument and returns a reply line
	// such as "451 4.3.0 try later", or "" to let the server answer.
	Reply func(verb, arg string) string
}

// Message is a message the server accepted.
type Message struct {
	// Helo is the name the client gave in its last EHLO.
	Helo string
	// TLS reports whether the session was encrypted.
	TLS bool
	// AuthUser is the user name of AUTH PLAIN, "" without.
	AuthUser string
	// From and To are the envelope addresses, without angle brackets.
	From string
	To   []string
	// Data is the message as received, with CRLF line endings and the dot
	// stuffing undone.
	Data []byte
}

// Server is a running test SMTP server.
type Server struct {
	// Addr is the server's 127.0.0.1:port.
	Addr string

	opts   Options
	cert   tls.Certificate
	roots  *x509.CertPool
	l      net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	msgs   []Message
	conns  map[net.Conn]bool
	newMsg chan struct{} // closed and replaced when a message arrives
}

// NewServer starts a server that stops when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, conns: map[net.Conn]bool{}, newMsg: make(chan struct{})}
	var err error
	if s.cert, s.roots, err = selfSigned(); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opts.ImplicitTLS {
		l = tls.NewListener(l, s.serverTLS())
	}
	s.l, s.Addr = l, l.Addr().String()
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// ClientTLS returns a client configuration that trusts the server's
// certificate.
func (s *Server) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.roots}
}

// Close stops the server and ends its sessions.
func (s *Server) Close() {
	s.l.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns the accepted messages once there are at least n, or fails the
// test after ten seconds.
func (s *Server) Wait(t testing.TB, n int) []Message {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		msgs, ch := append([]Message(nil), s.msgs...), s.newMsg
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("smtptest: %d message(s) after 10s, want %d", len(msgs), n)
		}
	}
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			(&session{s: s, conn: c, tls: s.opts.ImplicitTLS}).run()
			c.Close()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *Server) serverTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12}
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.newMsg)
	s.newMsg = make(chan struct{})
}

// session is one SMTP connection.
type session struct {
	s    *Server
	conn net.Conn
	r    *bufio.Reader
	tls  bool

	helo     string
	authUser string
	from     string
	to       []string
	mailing  bool
}

// errQuit ends a session.
var errQuit = errors.New("quit")

func (ss *session) run() {
	ss.r = bufio.NewReader(ss.conn)
	ss.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if ss.reply("220 smtptest ESMTP ready") != nil {
		return
	}
	for {
		line, err := ss.line()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if f := ss.s.opts.Reply; f != nil {
			if r := f(verb, arg); r != "" {
				if ss.reply(r) != nil {
					return
				}
				continue
			}
		}
		if err := ss.command(verb, arg); err != nil {
			return
		}
	}
}

// line reads one command line, which must end in CRLF.
func (ss *session) line() (string, error) {
	l, err := ss.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(l, "\r\n") {
		ss.reply("500 5.5.2 line not terminated by CRLF")
		return "", errors.New("bare LF")
	}
	return strings.TrimSuffix(l, "\r\n"), nil
}

func (ss *session) reply(lines ...string) error {
	_, err := io.WriteString(ss.conn, strings.Join(lines, "\r\n")+"\r\n")
	return err
}

func (ss *session) reset() {
	ss.from, ss.to, ss.mailing = "", nil, false
}

func (ss *session) command(verb, arg string) error {
	opts := ss.s.opts
	switch verb {
	case "EHLO", "HELO":
		if arg == "" {
			return ss.reply("501 5.5.4 a name is required")
		}
		ss.helo = arg
		ss.reset()
		if verb == "HELO" {
			return ss.reply("250 smtptest")
		}
		ext := []string{"250-smtptest greets " + arg}
		if opts.STARTTLS && !ss.tls {
			ext = append(ext, "250-STARTTLS")
		}
		if opts.Username != "" {
			ext = append(ext, "250-AUTH PLAIN")
		}
		return ss.reply(append(ext, "250 HELP")...)
	case "STARTTLS":
		if !opts.STARTTLS || ss.tls {
			return ss.reply("502 5.5.1 STARTTLS not offered")
		}
		if ss.r.Buffered() > 0 {
			ss.reply("501 5.5.4 data after STARTTLS")
			return errQuit
		}
		if err := ss.reply("220 2.0.0 ready to start TLS"); err != nil {
			return err
		}
		tc := tls.Server(ss.conn, ss.s.serverTLS())
		if err := tc.Handshake(); err != nil {
			return err
		}
		// RFC 3207: the session starts over, EHLO included.
		ss.conn, ss.r, ss.tls, ss.helo, ss.authUser = tc, bufio.NewReader(tc), true, "", ""
		ss.reset()
		return nil
	case "AUTH":
		return ss.auth(arg)
	case "MAIL":
		switch {
		case ss.helo == "":
			return ss.reply("503 5.5.1 EHLO first")
		case opts.Username != "" && ss.authUser == "":
			return ss.reply("530 5.7.0 authentication required")
		case ss.mailing:
			return ss.reply("503 5.5.1 nested MAIL")
		}
		addr, ok := path(arg, "FROM:")
		if !ok {
			return ss.reply("501 5.5.4 syntax: MAIL FROM:<address>")
		}
		ss.from, ss.mailing = addr, true
		return ss.reply("250 2.1.0 sender ok")
	case "RCPT":
		if !ss.mailing {
			return ss.reply("503 5.5.1 MAIL first")
		}
		addr, ok := path(arg, "TO:")
		if !ok || addr == "" {
			return ss.reply("501 5.5.4 syntax: RCPT TO:<address>")
		}
		ss.to = append(ss.to, addr)
		return ss.reply("250 2.1.5 recipient ok")
	case "DATA":
		if len(ss.to) == 0 {
			return ss.reply("503 5.5.1 RCPT first")
		}
		if err := ss.reply("354 end data with <CR><LF>.<CR><LF>"); err != nil {
			return err
		}
		data, err := ss.data()
		if err != nil {
			ss.reply("500 5.5.2 " + err.Error())
			return err
		}
		ss.s.record(Message{Helo: ss.helo, TLS: ss.tls, AuthUser: ss.authUser, From: ss.from, To: ss.to, Data: data})
		ss.reset()
		return ss.reply("250 2.0.0 queued")
	case "RSET":
		ss.reset()
		return ss.reply("250 2.0.0 ok")
	case "NOOP":
		return ss.reply("250 2.0.0 ok")
	case "QUIT":
		ss.reply("221 2.0.0 bye")
		return errQuit
	}
	return ss.reply("502 5.5.2 command not recognized")
}

// auth runs AUTH PLAIN (RFC 4616), with or without an initial response.
func (ss *session) auth(arg string) error {
	opts := ss.s.opts
	mech, initial, _ := strings.Cut(arg, " ")
	switch {
	case opts.Username == "" || !strings.EqualFold(mech, "PLAIN"):
		return ss.reply("504 5.5.4 mechanism not supported")
	case ss.helo == "":
		return ss.reply("503 5.5.1 EHLO first")
	case ss.authUser != "":
		return ss.reply("503 5.5.1 already authenticated")
	case ss.mailing:
		return ss.reply("503 5.5.1 AUTH during a mail transaction")
	}
	if initial == "" {
		if err := ss.reply("334 "); err != nil {
			return err
		}
		l, err := ss.line()
		if err != nil {
			return err
		}
		initial = l
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		return ss.reply("501 5.5.2 invalid base64")
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[1] != opts.Username || parts[2] != opts.Password || parts[0] != "" && parts[0] != parts[1] {
		return ss.reply("535 5.7.8 authentication credentials invalid")
	}
	ss.authUser = parts[1]
	return ss.reply("235 2.7.0 authentication successful")
}

// data reads a message up to the line ".", undoing the dot stuffing. Every
// line must end in CRLF.
func (ss *session) data() ([]byte, error) {
	var b bytes.Buffer
	for {
		l, err := ss.r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if !strings.HasSuffix(l, "\r\n") || strings.Contains(strings.TrimSuffix(l, "\r\n"), "\r") {
			return nil, errors.New("bare LF or CR in DATA")
		}
		if l == ".\r\n" {
			return b.Bytes(), nil
		}
		if len(l) > 1000 {
			return nil, errors.New("line longer than 1000 octets")
		}
		b.WriteString(strings.TrimPrefix(l, "."))
	}
}

// path parses "FROM:<address> params" or "TO:<address> params".
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

// selfSigned makes a certificate for 127.0.0.1, ::1 and localhost, and a
// pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("smtptest: certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, roots, nil
}
