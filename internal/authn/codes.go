package authn

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cognate-idp/cognate/internal/messaging"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Purposes of one-time codes; a user has at most one code per purpose.
const (
	PurposeSignUp         = "signup"
	PurposeForgotPassword = "forgot_password"
)

// PurposeVerify is the purpose of a code that verifies an attribute
// (email or phone_number).
func PurposeVerify(attr string) string { return "verify:" + attr }

// Code lifetimes, as Cognito documents them.
const (
	SignUpCodeLifetime         = 24 * time.Hour
	VerifyCodeLifetime         = 24 * time.Hour
	ForgotPasswordCodeLifetime = time.Hour
)

// Code requests are limited per user and purpose: at most MaxCodeRequests
// codes in any CodeRequestWindow, the low end of the 5 to 20 an hour
// Cognito documents for password reset codes. A new code resets the guess
// count, so without this limit guesses would be unbounded.
const (
	MaxCodeRequests   = 5
	CodeRequestWindow = time.Hour
)

// MaxCodeAttempts is how many wrong guesses a code survives; the next
// guess fails with LimitExceededException until a new code is sent.
const MaxCodeAttempts = 5

// Default verification texts, when the pool's template leaves them out.
const (
	defaultCodeSubject = "Your verification code"
	defaultCodeMessage = "Your verification code is {####}."
)

func codeAAD(poolID, sub, purpose string) []byte {
	return []byte("code|" + poolID + "|" + sub + "|" + purpose)
}

// lifetime returns the lifetime of a purpose's codes.
func lifetime(purpose string) time.Duration {
	switch purpose {
	case PurposeForgotPassword:
		return ForgotPasswordCodeLifetime
	case PurposeSignUp:
		return SignUpCodeLifetime
	}
	return VerifyCodeLifetime
}

// newCode draws a six-digit code.
func (s *Service) newCode() (string, error) {
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	n, err := rand.Int(r, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("draw code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// Delivery says where a code goes: the attribute whose value is the
// destination (email or phone_number) and that value.
type Delivery struct {
	Attribute   string `json:"attribute"`
	Destination string `json:"destination"`
}

// Medium is the delivery medium of the attribute.
func (d Delivery) Medium() string {
	if d.Attribute == "phone_number" {
		return model.DeliveryMediumTypeSms
	}
	return model.DeliveryMediumTypeEmail
}

// Details are the CodeDeliveryDetails Cognito returns for the delivery,
// with the destination masked.
func (d Delivery) Details() *model.CodeDeliveryDetailsType {
	return &model.CodeDeliveryDetailsType{AttributeName: d.Attribute, DeliveryMedium: d.Medium(), Destination: MaskDestination(d.Destination)}
}

// MaskDestination masks an email address or phone number as Cognito does
// in CodeDeliveryDetails: b***@e*** and +*******0100.
func MaskDestination(d string) string {
	if user, domain, ok := strings.Cut(d, "@"); ok && user != "" && domain != "" {
		_, a := utf8.DecodeRuneInString(user)
		_, b := utf8.DecodeRuneInString(domain)
		return user[:a] + "***@" + domain[:b] + "***"
	}
	if len(d) > 5 && d[0] == '+' {
		return "+" + strings.Repeat("*", len(d)-5) + d[len(d)-4:]
	}
	return "***"
}

// SendCode makes a new code for purpose and stores it through tx
// (replacing the user's previous code of that purpose). It returns the
// message that carries the code, with the pool's verification message
// template: call Deliver with it after tx commits. source is the custom
// message trigger's source, for example "CustomMessage_SignUp".
func (s *Service) SendCode(ctx context.Context, tx store.Store, p *userpool.Pool, u *store.User, purpose string, d Delivery, source string, metadata map[string]string) (*model.CodeDeliveryDetailsType, *Outgoing, error) {
	code, err := s.newCode()
	if err != nil {
		return nil, nil, err
	}
	sealed, err := s.Keys.Seal([]byte(code), codeAAD(u.PoolID, u.Sub, purpose))
	if err != nil {
		return nil, nil, fmt.Errorf("seal code: %w", err)
	}
	now := s.Now()
	_, err = s.EditState(ctx, tx, u, func(_ *store.User, st *State) error {
		var recent []time.Time
		for _, t := range st.CodeRequests[purpose] {
			if now.Sub(t) < CodeRequestWindow {
				recent = append(recent, t)
			}
		}
		if len(recent) >= MaxCodeRequests {
			return errCodeAttempts()
		}
		if st.CodeRequests == nil {
			st.CodeRequests = map[string][]time.Time{}
		}
		st.CodeRequests[purpose] = append(recent, now)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	c := &store.Code{PoolID: u.PoolID, Sub: u.Sub, Purpose: purpose, Sealed: sealed, CreatedAt: now, ExpiresAt: now.Add(lifetime(purpose))}
	if err := tx.PutCode(ctx, c); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, userpool.ErrUserNotFound()
		}
		return nil, nil, fmt.Errorf("store code: %w", err)
	}
	msg := triggers.Message{Code: code}
	if t := p.Settings.VerificationMessageTemplate; t != nil {
		msg.Subject, msg.EmailMessage, msg.SMSMessage = t.EmailSubject, t.EmailMessage, t.SmsMessage
	}
	if msg.Subject == "" {
		msg.Subject = defaultCodeSubject
	}
	if msg.EmailMessage == "" {
		msg.EmailMessage = defaultCodeMessage
	}
	if msg.SMSMessage == "" {
		msg.SMSMessage = defaultCodeMessage
	}
	out := &Outgoing{Pool: p, User: u, Kind: messaging.KindCode, Source: source, Metadata: metadata, Message: msg, To: []Delivery{d}}
	return d.Details(), out, nil
}

// Outgoing is a message whose code (or temporary password) is stored but
// that is not sent yet: Deliver sends it once the transaction that stored
// the code has committed, so that no trigger function runs while a store
// transaction is open.
type Outgoing struct {
	Pool *userpool.Pool
	User *store.User
	// Kind is the message's kind (messaging.KindCode, KindInvitation).
	Kind string
	// Source is the custom message trigger's source
	// (CustomMessage_SignUp, ...).
	Source   string
	Metadata map[string]string
	// Message holds the code and the pool's texts; an invitation's carry
	// the {username} placeholder too.
	Message triggers.Message
	// To are the destinations, one per medium.
	To []Delivery
	// ClientID is the app client of the request, for the triggers' events
	// (empty for admin operations).
	ClientID string
}

// Via sets the app client the message was asked for through; nil stays
// nil.
func (o *Outgoing) Via(clientID string) *Outgoing {
	if o != nil {
		o.ClientID = clientID
	}
	return o
}

// Deliver sends messages after their codes are stored: a medium for which
// the pool has a custom sender trigger gets the code through it (and
// nothing from Cognate); the others get the texts, changed by the custom
// message trigger if the pool has one, queued for delivery. A trigger's
// failure is returned, as Cognito returns it; the code stays stored.
func (s *Service) Deliver(ctx context.Context, outs ...*Outgoing) error {
	queued := false
	defer func() {
		if queued {
			s.Notify()
		}
	}()
	for _, o := range outs {
		if o == nil {
			continue
		}
		ev := &triggers.Event{PoolID: o.Pool.ID, ClientID: o.ClientID, Username: o.User.Username, Attributes: o.User.Attributes, ClientMetadata: o.Metadata,
			Source: o.Source, Config: o.Pool.Settings.LambdaConfig, Status: o.User.Status}
		var rest []Delivery
		for _, d := range o.To {
			handled, err := s.Triggers().CustomSender(ctx, ev, d.Medium(), o.Message.Code)
			if err != nil {
				return err
			}
			if !handled {
				rest = append(rest, d)
			}
		}
		if len(rest) == 0 {
			continue
		}
		msg := o.Message
		if err := s.Triggers().CustomMessage(ctx, ev, &msg); err != nil {
			return err
		}
		// Cognito replaces only the code in verification messages;
		// {username} belongs to invitations and is left as written.
		fill := strings.NewReplacer("{####}", msg.Code).Replace
		if msg.Invitation {
			fill = strings.NewReplacer(triggers.UsernameParameter, o.User.Username, triggers.CodeParameter, msg.Code).Replace
		}
		for _, d := range rest {
			body := messaging.Body{Text: fill(msg.SMSMessage)}
			if d.Medium() == model.DeliveryMediumTypeEmail {
				body = messaging.Body{Subject: msg.Subject, Text: fill(msg.EmailMessage)}
			}
			if err := s.Enqueue(ctx, s.Store, o.User, o.Kind, d.Medium(), d.Destination, body); err != nil {
				return err
			}
			queued = true
		}
	}
	return nil
}

// Enqueue seals a message and queues it through tx for delivery. Call
// Notify after tx commits.
func (s *Service) Enqueue(ctx context.Context, tx store.Store, u *store.User, kind, medium, dest string, body messaging.Body) error {
	id, err := s.IDs.UUID()
	if err != nil {
		return err
	}
	sealed, err := messaging.Seal(s.Keys, id, body)
	if err != nil {
		return err
	}
	m := &store.Message{ID: id, PoolID: u.PoolID, Username: u.Username, Kind: kind, Medium: medium, Destination: dest, Body: sealed, CreatedAt: s.Now()}
	if err := tx.EnqueueMessage(ctx, m); err != nil {
		return fmt.Errorf("queue message: %w", err)
	}
	return nil
}

// Errors of code checks, as Cognito words them.
func errCodeMismatch() error {
	return &model.CodeMismatchException{Message: "Invalid verification code provided, please try again."}
}

func errCodeExpired() error {
	return &model.ExpiredCodeException{Message: "Invalid code provided, please request a code again."}
}

func errCodeAttempts() error {
	return &model.LimitExceededException{Message: "Attempt limit exceeded, please try after some time."}
}

// CheckCode compares code with the user's code of purpose in constant time
// and consumes it when it matches: CodeMismatchException for a wrong code
// (counted), ExpiredCodeException when there is none or it expired,
// LimitExceededException after MaxCodeAttempts wrong guesses.
//
// The guess is counted, or the code spent, inside the store's locked
// read-modify-write of the code, before the answer is known to the
// caller: however requests interleave, at most MaxCodeAttempts wrong
// guesses are compared and a right code is accepted once.
func (s *Service) CheckCode(ctx context.Context, u *store.User, purpose, code string) error {
	var verdict error
	_, err := s.Store.UpdateCode(ctx, u.PoolID, u.Sub, purpose, func(c *store.Code) error {
		now := s.Now()
		switch {
		case !now.Before(c.ExpiresAt):
			verdict = errCodeExpired()
			return nil
		case c.Attempts >= MaxCodeAttempts:
			verdict = errCodeAttempts()
			return nil
		}
		want, err := s.Keys.Open(c.Sealed, codeAAD(u.PoolID, u.Sub, purpose))
		if err != nil {
			return fmt.Errorf("open code: %w", err)
		}
		if subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
			c.Attempts++
			verdict = errCodeMismatch()
			return nil
		}
		// Spent: expired from now on, for any request that locks the
		// code after this one; deleted below.
		c.ExpiresAt = now
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return errCodeExpired()
	}
	if err != nil {
		return fmt.Errorf("check code: %w", err)
	}
	if verdict != nil {
		return verdict
	}
	if err := s.Store.DeleteCode(ctx, u.PoolID, u.Sub, purpose); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("consume code: %w", err)
	}
	return nil
}
