package messaging

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Webhook sends text messages by POSTing them to a URL, for a gateway of
// the operator's choosing (Twilio, SNS, a queue) to deliver. The request
// body is JSON:
//
//	{"destination": "+15550000001", "text": "...", "poolId": "us-east-1_abc",
//	 "username": "bob", "kind": "invitation", "messageId": "..."}
//
// Any 2xx answer means the message was accepted; anything else, a redirect
// included, is a failure and the message is sent again later, with the same
// messageId.
type Webhook struct {
	// URL is where messages are posted.
	URL string
	// Client makes the requests; nil means a client with Timeout. Redirects
	// are never followed.
	Client *http.Client
	// Timeout bounds a request when Client is nil; ten seconds when zero.
	Timeout time.Duration
}

// WebhookPayload is the JSON body of a Webhook request.
type WebhookPayload struct {
	Destination string `json:"destination"`
	Text        string `json:"text"`
	PoolID      string `json:"poolId"`
	Username    string `json:"username"`
	Kind        string `json:"kind"`
	MessageID   string `json:"messageId"`
}

// ParseWebhookURL checks a webhook URL: absolute, http or https, with a
// host. Errors do not repeat the URL, which may carry a token.
func ParseWebhookURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("the scheme must be http:// or https://")
	}
	if u.Host == "" {
		return nil, errors.New("no host")
	}
	return u, nil
}

// SendSMS implements SMS. Errors name neither the URL nor the message.
func (w *Webhook) SendSMS(ctx context.Context, m *Message) error {
	body, err := json.Marshal(WebhookPayload{
		Destination: m.Destination, Text: m.Text, PoolID: m.PoolID, Username: m.Username, Kind: m.Kind, MessageID: m.ID,
	})
	if err != nil {
		return fmt.Errorf("sms webhook: encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("sms webhook: invalid URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cognate")
	resp, err := w.client().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL
		}
		return fmt.Errorf("sms webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sms webhook: status %d", resp.StatusCode)
	}
	return nil
}

// client returns the client of a request: Client or a new one, never
// following redirects.
func (w *Webhook) client() *http.Client {
	var c http.Client
	if w.Client != nil {
		c = *w.Client
	} else {
		c.Timeout = cmp.Or(w.Timeout, 10*time.Second)
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
