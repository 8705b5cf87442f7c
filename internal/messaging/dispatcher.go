package messaging

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
)

// Dispatcher empties the outbox: it claims each pending message, sends it
// through the sender of its medium and then removes it. A message that fails
// stays in the outbox and is tried again after a delay that doubles with
// each failure, from MinBackoff up to MaxBackoff; the store keeps the count
// of failures and the time of the next try, so that a restart keeps them.
// Messages of a medium with no sender stay in the outbox for good (the
// development default, where the outbox reader shows them).
//
// Several dispatchers may share one store (replicas on one PostgreSQL): a
// message is leased to the dispatcher that claims it, so that no other sends
// it, and the lease outlasts a send. The messages of a dispatcher that stops
// during a send are claimed again, by any dispatcher, when their lease ends.
//
// Delivery is at least once: a message whose sending succeeded but whose
// removal did not (the store failed, the process stopped) is sent again.
//
// Logs name a message by ID, pool, kind, medium and masked destination;
// never the body or the full destination.
type Dispatcher struct {
	Store store.Messages
	Keys  *seal.Keyring
	// Email and SMS send their mediums; nil leaves those messages in the
	// outbox.
	Email Email
	SMS   SMS
	Log   *slog.Logger
	// Now is the clock of the retry delays; time.Now when nil.
	Now func() time.Time
	// Interval is how often the outbox is read without a Notify; one second
	// when zero.
	Interval time.Duration
	// Batch is how many messages of a medium one pass claims and sends; 100
	// when zero.
	Batch int
	// SendTimeout bounds one send; 30 seconds when zero.
	SendTimeout time.Duration
	// MinBackoff and MaxBackoff bound the delay before a failed message is
	// tried again; one second and five minutes when zero.
	MinBackoff, MaxBackoff time.Duration
	// Lease is how long a claimed message is held for this dispatcher; one
	// minute more than SendTimeout when zero. It must outlast a send.
	Lease time.Duration
	// Observe, when set, is told the medium and outcome ("sent" or
	// "failed") of every message handed to its sender.
	Observe func(medium, outcome string)

	wakeOnce sync.Once
	wakeCh   chan struct{}
	pass     sync.Mutex // one pass at a time

	ownerOnce sync.Once
	ownerID   string // names this dispatcher's leases
}

// Notify implements Notifier: the dispatcher reads the outbox at once
// rather than at its next tick. It never blocks.
func (d *Dispatcher) Notify() {
	select {
	case d.wake() <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) wake() chan struct{} {
	d.wakeOnce.Do(func() { d.wakeCh = make(chan struct{}, 1) })
	return d.wakeCh
}

// Run delivers messages until ctx ends: at once, then at each tick and
// after each Notify. A send under way when ctx ends is finished (within
// SendTimeout) so that a delivered message is not delivered twice. With no
// sender at all Run returns at once.
func (d *Dispatcher) Run(ctx context.Context) {
	log := d.logger()
	if d.Email == nil {
		log.Info("email delivery is not configured (--smtp-url): email messages stay in the outbox")
	}
	if d.SMS == nil {
		log.Info("SMS delivery is not configured (--sms-webhook): SMS messages stay in the outbox")
	}
	if d.Email == nil && d.SMS == nil {
		return
	}
	interval := d.Interval
	if interval <= 0 {
		interval = time.Second
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		d.Deliver(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-d.wake():
		}
	}
}

// Deliver makes one pass over the outbox: it sends every pending message
// whose medium has a sender and whose retry delay is over, and returns how
// many it delivered. It stops between messages when ctx ends.
func (d *Dispatcher) Deliver(ctx context.Context) int {
	d.pass.Lock()
	defer d.pass.Unlock()
	n := 0
	for _, medium := range []string{MediumEmail, MediumSMS} {
		if d.sender(medium) == nil || ctx.Err() != nil {
			continue
		}
		n += d.deliverMedium(ctx, medium)
	}
	return n
}

func (d *Dispatcher) sender(medium string) func(context.Context, *Message) error {
	switch {
	case medium == MediumEmail && d.Email != nil:
		return d.Email.SendEmail
	case medium == MediumSMS && d.SMS != nil:
		return d.SMS.SendSMS
	}
	return nil
}

func (d *Dispatcher) deliverMedium(ctx context.Context, medium string) int {
	log := d.logger()
	batch := d.Batch
	if batch <= 0 {
		batch = 100
	}
	delivered := 0
	// One message is claimed at a time, so that its lease need only outlast
	// one send.
	for range batch {
		if ctx.Err() != nil {
			break
		}
		claimed, err := d.Store.ClaimMessages(ctx, medium, d.owner(), d.now(), d.lease(), 1)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("read the outbox", "medium", medium, "error", err)
			}
			break
		}
		if len(claimed) == 0 {
			break
		}
		sm := &claimed[0]
		attrs := []any{"message", sm.ID, "pool", sm.PoolID, "kind", sm.Kind, "medium", sm.Medium, "to", MaskDestination(sm.Destination)}
		m, err := opened(d.Keys, sm)
		if err == nil {
			err = d.send(ctx, medium, m)
		}
		d.observe(medium, err)
		if err != nil {
			attempt := sm.Attempts + 1
			wait := d.backoff(attempt)
			if rerr := d.Store.RetryMessage(context.WithoutCancel(ctx), sm.ID, d.owner(), d.now().Add(wait)); rerr != nil {
				log.Error("message not delivered; its retry time is not recorded, it is tried again when its lease ends",
					append(attrs, "error", rerr)...)
			}
			log.Warn("message not delivered; will retry", append(attrs, "attempt", attempt, "retry_in", wait,
				"error", redact(err, sm.Destination))...)
			continue
		}
		// Sent: remove it even if ctx has ended meanwhile.
		if err := d.Store.MarkDelivered(context.WithoutCancel(ctx), sm.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			log.Error("message delivered but still in the outbox; it will be sent again", append(attrs, "error", err)...)
			continue
		}
		delivered++
		log.Info("message delivered", attrs...)
	}
	return delivered
}

// observe reports the outcome of a send to Observe.
func (d *Dispatcher) observe(medium string, err error) {
	if d.Observe == nil {
		return
	}
	outcome := "sent"
	if err != nil {
		outcome = "failed"
	}
	d.Observe(medium, outcome)
}

// send sends m within SendTimeout. It outlives ctx: a send is finished
// rather than cut off half way.
func (d *Dispatcher) send(ctx context.Context, medium string, m *Message) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.sendTimeout())
	defer cancel()
	return d.sender(medium)(sctx, m)
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}

// sendTimeout bounds one send.
func (d *Dispatcher) sendTimeout() time.Duration {
	if d.SendTimeout <= 0 {
		return 30 * time.Second
	}
	return d.SendTimeout
}

// lease is how long a claimed message is held.
func (d *Dispatcher) lease() time.Duration {
	if d.Lease <= 0 {
		return d.sendTimeout() + time.Minute
	}
	return d.Lease
}

// owner returns the name of this dispatcher's leases: random, so that no
// two dispatchers share one.
func (d *Dispatcher) owner() string {
	d.ownerOnce.Do(func() { d.ownerID = rand.Text() })
	return d.ownerID
}

// backoff returns the delay before the next try of a message that has
// failed attempts times.
func (d *Dispatcher) backoff(attempts int) time.Duration {
	lo, hi := d.MinBackoff, d.MaxBackoff
	if lo <= 0 {
		lo = time.Second
	}
	if hi <= 0 {
		hi = 5 * time.Minute
	}
	wait := lo
	for i := 1; i < attempts && wait < hi; i++ {
		wait *= 2
	}
	return min(wait, hi)
}

// redact returns the text of err with every occurrence of destination, in
// any case, masked: SMTP servers quote the recipient in their replies.
func redact(err error, destination string) string {
	msg := err.Error()
	if destination == "" {
		return msg
	}
	re := regexp.MustCompile("(?i)" + regexp.QuoteMeta(destination))
	return re.ReplaceAllLiteralString(msg, MaskDestination(destination))
}
