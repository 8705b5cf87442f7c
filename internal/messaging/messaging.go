// Package messaging delivers the messages Cognate queues in the store's
// outbox (invitations, later codes): the sealed message body, the Email
// (SMTP) and SMS (webhook) senders, the Dispatcher that empties the outbox
// through them, and the development outbox reader that shows what is
// waiting.
package messaging

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
)

// Mediums of store.Message, as the wire's DeliveryMediumType spells them.
const (
	MediumEmail = "EMAIL"
	MediumSMS   = "SMS"
)

// Kinds of store.Message.
const (
	KindInvitation = "invitation"
	// KindCode is a one-time code: sign-up confirmation, attribute
	// verification, password reset.
	KindCode = "code"
)

// AAD binds a sealed message body to its message ID.
func AAD(id string) []byte { return []byte("message|" + id) }

// Body is the content of a queued message, sealed in the outbox. It may
// carry a temporary password or a code, so it neither formats nor logs
// itself.
type Body struct {
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text"`
}

// Format writes "[redacted]" whatever the verb.
func (Body) Format(f fmt.State, _ rune) { io.WriteString(f, "[redacted]") }

// LogValue returns "[redacted]" for slog.
func (Body) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Seal encodes and seals the body of message id for the outbox.
func Seal(keys *seal.Keyring, id string, b Body) ([]byte, error) {
	plain, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode message: %w", err)
	}
	sealed, err := keys.Seal(plain, AAD(id))
	if err != nil {
		return nil, fmt.Errorf("seal message: %w", err)
	}
	return sealed, nil
}

// Open opens the body Seal sealed for message id.
func Open(keys *seal.Keyring, id string, sealed []byte) (Body, error) {
	var b Body
	plain, err := keys.Open(sealed, AAD(id))
	if err != nil {
		return b, fmt.Errorf("open message: %w", err)
	}
	if err := json.Unmarshal(plain, &b); err != nil {
		return b, fmt.Errorf("decode message: %w", err)
	}
	return b, nil
}

// Message is an outbox message ready to send: the store's record with its
// body opened.
type Message struct {
	ID          string
	PoolID      string
	Username    string
	Kind        string
	Destination string // an email address or an E.164 phone number
	Body
}

// Email sends email. An error means the message was not accepted and is
// tried again later.
type Email interface {
	SendEmail(ctx context.Context, m *Message) error
}

// SMS sends text messages. An error means the message was not accepted and
// is tried again later.
type SMS interface {
	SendSMS(ctx context.Context, m *Message) error
}

// Notifier is told when an operation has queued a message, so that it can
// be delivered without waiting for the next poll.
type Notifier interface {
	Notify()
}

// opened returns m with its body opened.
func opened(keys *seal.Keyring, m *store.Message) (*Message, error) {
	b, err := Open(keys, m.ID, m.Body)
	if err != nil {
		return nil, err
	}
	return &Message{ID: m.ID, PoolID: m.PoolID, Username: m.Username, Kind: m.Kind, Destination: m.Destination, Body: b}, nil
}

// MaskDestination hides most of an email address or phone number, for
// logs: bob@example.com becomes b***@example.com and +15550000001 becomes
// +*******0001. Anything else becomes ***.
func MaskDestination(d string) string {
	if i := strings.LastIndexByte(d, '@'); i > 0 {
		_, size := utf8.DecodeRuneInString(d)
		return d[:size] + "***" + d[i:]
	}
	if len(d) > 5 && d[0] == '+' {
		return "+" + strings.Repeat("*", len(d)-5) + d[len(d)-4:]
	}
	return "***"
}
