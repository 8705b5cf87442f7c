// Package metrics keeps the server's Prometheus metrics and serves them at
// GET /metrics in the Prometheus text format: API requests and their
// latency per operation and outcome, sign-ins by flow and outcome, messages
// sent and failed by channel, the store's latency by kind of call, and the
// Go runtime's and process's own.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one server's registry.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	signIns  *prometheus.CounterVec
	messages *prometheus.CounterVec
	store    *prometheus.HistogramVec
}

// New returns a registry with the request metrics and the Go and process
// collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cognate_requests_total",
			Help: "API requests by operation and outcome (ok, or the exception name).",
		}, []string{"operation", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cognate_request_duration_seconds",
			Help:    "Time to answer API requests, by operation and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"operation", "outcome"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cognate_sign_ins_total",
			Help: "Sign-in steps (API and managed login) by flow or challenge answered, and outcome: success (signed in), challenge (another step asked for), or the exception name.",
		}, []string{"flow", "outcome"}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cognate_messages_total",
			Help: "Messages handed to their sender by channel (EMAIL, SMS) and outcome (sent, failed; a failed message is tried again).",
		}, []string{"channel", "outcome"}),
		store: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cognate_store_duration_seconds",
			Help:    "Time of store calls by kind: read (a query), write (a statement or read-modify-write that commits on its own), transaction (a whole transaction).",
			Buckets: prometheus.ExponentialBuckets(0.00005, 2, 18),
		}, []string{"kind"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.signIns, m.messages, m.store, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest counts one API request. op is empty for a request that
// named no known operation.
func (m *Metrics) ObserveRequest(op, outcome string, took time.Duration) {
	if op == "" {
		op = "unknown"
	}
	m.requests.WithLabelValues(op, outcome).Inc()
	m.latency.WithLabelValues(op, outcome).Observe(took.Seconds())
}

// ObserveSignIn counts one sign-in step of flow (the AuthFlow, or the
// challenge answered) with its outcome.
func (m *Metrics) ObserveSignIn(flow, outcome string) {
	m.signIns.WithLabelValues(flow, outcome).Inc()
}

// ObserveMessage counts one message handed to the sender of channel, with
// its outcome (sent or failed).
func (m *Metrics) ObserveMessage(channel, outcome string) {
	m.messages.WithLabelValues(channel, outcome).Inc()
}

// ObserveStore records the time of one store call of kind.
func (m *Metrics) ObserveStore(kind string, took time.Duration) {
	m.store.WithLabelValues(kind).Observe(took.Seconds())
}

// Register mounts GET /metrics on mux.
func (m *Metrics) Register(mux *http.ServeMux) {
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}
