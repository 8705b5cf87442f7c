package messaging

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/messaging/smtptest"
)

// run starts d.Run and returns a function that stops it and waits.
func run(t *testing.T, d *Dispatcher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	stop = func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return stop
}

// The running dispatcher delivers both mediums after a Notify, without
// waiting for its tick, and empties the outbox.
func TestDispatcherDelivers(t *testing.T) {
	o := newOutbox(t)
	srv := smtptest.NewServer(t, smtptest.Options{STARTTLS: true})
	h := newHook(t, func(int) int { return http.StatusOK })
	d := &Dispatcher{Store: o.st, Keys: o.keys, Email: smtpSender(t, srv, "smtp://ADDR?from=no-reply@example.com"),
		SMS: &Webhook{URL: h.URL}, Interval: time.Hour}
	run(t, d)

	o.enqueue(t, "m1", MediumEmail, "bob@example.com", Body{Subject: "Hello", Text: "temporary password is E-Mail-Pw0rd!"})
	o.enqueue(t, "m2", MediumSMS, "+15550000001", Body{Text: "temporary password is Sms-Pw0rd!"})
	d.Notify()
	m := srv.Wait(t, 1)[0]
	if !m.TLS || !slices.Equal(m.To, []string{"bob@example.com"}) {
		t.Errorf("email: TLS %v, to %v", m.TLS, m.To)
	}
	if h, body := received(t, m); h.Get("Subject") != "Hello" || body != "temporary password is E-Mail-Pw0rd!\n" {
		t.Errorf("email: subject %q, body %q", h.Get("Subject"), body)
	}
	waitFor(t, "an empty outbox", func() bool { return len(o.pending(t)) == 0 })
	want := []map[string]any{{"destination": "+15550000001", "text": "temporary password is Sms-Pw0rd!", "poolId": testPool,
		"username": "user-m2", "kind": "invitation", "messageId": "m2"}}
	if d := cmp.Diff(want, h.requests()); d != "" {
		t.Errorf("webhook (-want +got):\n%s", d)
	}

	// A later message is delivered on the next Notify.
	o.enqueue(t, "m3", MediumEmail, "carol@example.com", Body{Subject: "Hi", Text: "again"})
	d.Notify()
	if m := srv.Wait(t, 2)[1]; !slices.Equal(m.To, []string{"carol@example.com"}) {
		t.Errorf("second email to %v", m.To)
	}
	waitFor(t, "an empty outbox", func() bool { return len(o.pending(t)) == 0 })
}

// A failed message stays in the outbox and is tried again after a delay
// that doubles; success removes it.
func TestDispatcherRetries(t *testing.T) {
	o := newOutbox(t)
	var fail atomic.Int32
	fail.Store(2)
	h := newHook(t, func(int) int {
		if fail.Add(-1) >= 0 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	d := &Dispatcher{Store: o.st, Keys: o.keys, SMS: &Webhook{URL: h.URL}, Now: clk.Now, MinBackoff: time.Second, MaxBackoff: 3 * time.Second}
	o.enqueue(t, "m1", MediumSMS, "+15550000001", Body{Text: "code 123456"})

	step := func(advance time.Duration, wantDelivered, wantCalls int) {
		t.Helper()
		clk.Add(advance)
		if n := d.Deliver(t.Context()); n != wantDelivered {
			t.Fatalf("after %v: delivered %d, want %d", advance, n, wantDelivered)
		}
		if n := len(h.requests()); n != wantCalls {
			t.Fatalf("after %v: %d webhook calls, want %d", advance, n, wantCalls)
		}
	}
	step(0, 0, 1) // fails: retry in 1s
	if got := o.pending(t); !slices.Equal(got, []string{"m1"}) {
		t.Fatalf("outbox after a failure: %v", got)
	}
	step(999*time.Millisecond, 0, 1) // too early
	step(time.Millisecond, 0, 2)     // fails again: retry in 2s
	step(time.Second, 0, 2)          // too early
	step(time.Second, 1, 3)          // delivered
	if got := o.pending(t); len(got) != 0 {
		t.Fatalf("outbox after delivery: %v", got)
	}
	step(time.Hour, 0, 3) // nothing left to send

	// The delay stops growing at MaxBackoff.
	var waits []time.Duration
	for attempts := range 5 {
		waits = append(waits, d.backoff(attempts+1))
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second}; !slices.Equal(waits, want) {
		t.Errorf("delays %v, want %v", waits, want)
	}
}

// The store keeps a failed message's retry time: a dispatcher started
// afresh (a restart, another replica) waits for it too.
func TestDispatcherRetryTimeKept(t *testing.T) {
	o := newOutbox(t)
	var status atomic.Int32
	status.Store(http.StatusServiceUnavailable)
	h := newHook(t, func(int) int { return int(status.Load()) })
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	dispatcher := func() *Dispatcher {
		return &Dispatcher{Store: o.st, Keys: o.keys, SMS: &Webhook{URL: h.URL}, Now: clk.Now, MinBackoff: time.Minute}
	}
	o.enqueue(t, "m1", MediumSMS, "+15550000001", Body{Text: "code 123456"})
	if n := dispatcher().Deliver(t.Context()); n != 0 || len(h.requests()) != 1 {
		t.Fatalf("first pass: delivered %d, %d calls", n, len(h.requests()))
	}
	status.Store(http.StatusNoContent)
	clk.Add(59 * time.Second)
	if n := dispatcher().Deliver(t.Context()); n != 0 || len(h.requests()) != 1 {
		t.Fatalf("a new dispatcher before the retry time: delivered %d, %d calls", n, len(h.requests()))
	}
	clk.Add(time.Second)
	if n := dispatcher().Deliver(t.Context()); n != 1 || len(h.requests()) != 2 {
		t.Fatalf("a new dispatcher at the retry time: delivered %d, %d calls", n, len(h.requests()))
	}
}

// Dispatchers sharing a store do not send a message twice: one claimed by a
// dispatcher that stopped during the send is left alone until its lease
// ends, and then sent by another.
func TestDispatcherLeases(t *testing.T) {
	o := newOutbox(t)
	h := newHook(t, func(int) int { return http.StatusNoContent })
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	o.enqueue(t, "m1", MediumSMS, "+15550000001", Body{Text: "code 123456"})
	// A dispatcher that died after claiming m1.
	if ms, err := o.st.ClaimMessages(t.Context(), MediumSMS, "dead replica", clk.Now(), 2*time.Minute, 10); err != nil || len(ms) != 1 {
		t.Fatalf("claim: %v, %v", ms, err)
	}
	o.enqueue(t, "m2", MediumSMS, "+15550000002", Body{Text: "code 654321"})
	d := &Dispatcher{Store: o.st, Keys: o.keys, SMS: &Webhook{URL: h.URL}, Now: clk.Now}
	if n := d.Deliver(t.Context()); n != 1 {
		t.Fatalf("delivered %d, want m2 alone", n)
	}
	clk.Add(2*time.Minute - time.Microsecond)
	if n := d.Deliver(t.Context()); n != 0 {
		t.Fatalf("delivered %d during the lease, want 0", n)
	}
	clk.Add(time.Microsecond)
	if n := d.Deliver(t.Context()); n != 1 {
		t.Fatalf("delivered %d when the lease ended, want 1", n)
	}
	var to []any
	for _, r := range h.requests() {
		to = append(to, r["messageId"])
	}
	if want := []any{"m2", "m1"}; !slices.Equal(to, want) {
		t.Errorf("sent %v, want %v", to, want)
	}
}

// Two dispatchers delivering from one outbox at once send every message
// once.
func TestDispatchersShareOutbox(t *testing.T) {
	o := newOutbox(t)
	h := newHook(t, func(int) int { return http.StatusNoContent })
	const n = 30
	for i := range n {
		o.enqueue(t, fmt.Sprintf("m%02d", i), MediumSMS, "+15550000001", Body{Text: "code"})
	}
	var wg sync.WaitGroup
	var delivered atomic.Int32
	for range 2 {
		d := &Dispatcher{Store: o.st, Keys: o.keys, SMS: &Webhook{URL: h.URL}}
		wg.Go(func() { delivered.Add(int32(d.Deliver(t.Context()))) })
	}
	wg.Wait()
	sent := map[any]int{}
	for _, r := range h.requests() {
		sent[r["messageId"]]++
	}
	if len(sent) != n || delivered.Load() != n || len(h.requests()) != n {
		t.Errorf("%d messages sent in %d requests, %d delivered; want %d of each", len(sent), len(h.requests()), delivered.Load(), n)
	}
}

// Messages of a medium without a sender stay in the outbox, and do not hold
// up the other medium however many they are.
func TestDispatcherMediumWithoutSender(t *testing.T) {
	o := newOutbox(t)
	srv := smtptest.NewServer(t, smtptest.Options{})
	d := &Dispatcher{Store: o.st, Keys: o.keys, Email: smtpSender(t, srv, "smtp://ADDR?from=no-reply@example.com"), Batch: 2}
	for i := range 5 {
		o.enqueue(t, fmt.Sprintf("sms%d", i), MediumSMS, "+15550000001", Body{Text: "code"})
	}
	o.enqueue(t, "email", MediumEmail, "bob@example.com", Body{Subject: "s", Text: "t"})
	if n := d.Deliver(t.Context()); n != 1 {
		t.Fatalf("delivered %d, want 1", n)
	}
	if got, want := o.pending(t), []string{"sms0", "sms1", "sms2", "sms3", "sms4"}; !slices.Equal(got, want) {
		t.Errorf("outbox %v, want %v", got, want)
	}

	// With no sender at all, Run returns at once and the outbox is kept.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	(&Dispatcher{Store: o.st, Keys: o.keys}).Run(ctx)
	if ctx.Err() != nil {
		t.Error("Run without senders did not return at once")
	}
	if n := len(o.pending(t)); n != 5 {
		t.Errorf("%d messages left, want 5", n)
	}
}

// A send under way when Run's context ends is finished, and the message
// removed, before Run returns.
func TestDispatcherStopFinishesSend(t *testing.T) {
	o := newOutbox(t)
	entered, release := make(chan struct{}), make(chan struct{})
	h := newHook(t, func(n int) int {
		close(entered)
		<-release
		return http.StatusOK
	})
	d := &Dispatcher{Store: o.st, Keys: o.keys, SMS: &Webhook{URL: h.URL}, Interval: time.Hour}
	o.enqueue(t, "m1", MediumSMS, "+15550000001", Body{Text: "code"})
	stop := run(t, d)
	<-entered
	stopped := make(chan struct{})
	go func() {
		stop()
		close(stopped)
	}()
	select {
	case <-stopped:
		t.Fatal("Run returned during a send")
	default:
	}
	close(release)
	<-stopped
	if got := o.pending(t); len(got) != 0 {
		t.Errorf("outbox after stop: %v", got)
	}
}

// Logs name messages by masked destination and never carry a body, even
// when a server's error quotes the recipient.
func TestDispatcherLogsNoSecrets(t *testing.T) {
	o := newOutbox(t)
	var rejectRcpt atomic.Bool
	rejectRcpt.Store(true)
	srv := smtptest.NewServer(t, smtptest.Options{Reply: func(verb, arg string) string {
		if verb == "RCPT" && rejectRcpt.Load() {
			return "450 4.2.0 " + strings.ToUpper(arg) + ": mailbox busy"
		}
		return ""
	}})
	var hookFails atomic.Bool
	hookFails.Store(true)
	h := newHook(t, func(int) int {
		if hookFails.Load() {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	var logs logBuffer
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	d := &Dispatcher{Store: o.st, Keys: o.keys, Email: smtpSender(t, srv, "smtp://ADDR?from=no-reply@example.com"),
		SMS: &Webhook{URL: h.URL + "/?token=hooksecret"}, Now: clk.Now,
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	const emailPw, smsPw = "Temp-Passw0rd!email", "Temp-Passw0rd!sms"
	o.enqueue(t, "m1", MediumEmail, "bob.secret@example.com", Body{Subject: "Your temporary password", Text: "Your temporary password is " + emailPw})
	o.enqueue(t, "m2", MediumSMS, "+15550000001", Body{Text: "Your temporary password is " + smsPw})

	if n := d.Deliver(t.Context()); n != 0 {
		t.Fatalf("delivered %d while failing", n)
	}
	rejectRcpt.Store(false)
	hookFails.Store(false)
	clk.Add(time.Minute)
	if n := d.Deliver(t.Context()); n != 2 {
		t.Fatalf("delivered %d, want 2", n)
	}
	out := logs.String()
	for _, want := range []string{"message not delivered", "message delivered", "b***@example.com", "+*******0001", "450", "status 500"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
	mustNotContain(t, "logs", out, emailPw, smsPw, "bob.secret", "15550000001", "hooksecret", "temporary password is")
}

func TestMaskDestination(t *testing.T) {
	for in, want := range map[string]string{
		"bob@example.com":      "b***@example.com",
		"b@example.com":        "b***@example.com",
		"élodie@example.fr":    "é***@example.fr",
		"a@b@example.com":      "a***@example.com",
		"+15550000001":         "+*******0001",
		"+4915112345678":       "+*********5678",
		"+1234":                "***",
		"":                     "***",
		"@example.com":         "***",
		"not a destination at": "***",
	} {
		if got := MaskDestination(in); got != want {
			t.Errorf("MaskDestination(%q) = %q, want %q", in, got, want)
		}
	}
}

// A body shows nothing when formatted or logged, nor does a message that
// carries one.
func TestBodyRedacted(t *testing.T) {
	b := Body{Subject: "subject-secret", Text: "text-secret"}
	m := &Message{ID: "id", Destination: "bob@example.com", Body: b}
	var logs logBuffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "body", b, "message", m)
	out := fmt.Sprintf("%v %+v %#v %s %q %v %+v", b, b, b, b, b, m, *m) + logs.String()
	mustNotContain(t, "output", out, "subject-secret", "text-secret", "bob@example.com")
}
