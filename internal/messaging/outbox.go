package messaging

import (
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
)

// Outbox serves the development outbox reader: the messages waiting in the
// outbox with their bodies opened, so that temporary passwords and codes
// can be read without a mail server. It shows secrets to anyone who can
// reach it, so the server mounts it only when --outbox is on.
//
//	GET /_cognate/outbox?pool=<pool ID>&to=<destination>&limit=<n>
//	GET /_cognate/outbox.html?pool=<pool ID>&to=<destination>&limit=<n>
//
// Every parameter is optional; the newest messages come first, 100 unless
// limit says otherwise (at most 1000). A space in to is read as +, since an
// unencoded + in a query string decodes to a space.
type Outbox struct {
	Store store.Messages
	Keys  *seal.Keyring
	Log   *slog.Logger
}

// OutboxPage is the JSON answer of GET /_cognate/outbox.
type OutboxPage struct {
	Messages []OutboxMessage `json:"messages"`
}

// OutboxMessage is one message of an OutboxPage.
type OutboxMessage struct {
	ID          string    `json:"id"`
	PoolID      string    `json:"poolId"`
	Username    string    `json:"username"`
	Kind        string    `json:"kind"`
	Medium      string    `json:"medium"`
	Destination string    `json:"destination"`
	Subject     string    `json:"subject"`
	Text        string    `json:"text"`
	CreatedAt   time.Time `json:"createdAt"`
	// Error says why the body could not be opened (a master key missing
	// from the key file); Subject and Text are then empty.
	Error string `json:"error,omitempty"`
}

// Paths of the outbox reader.
const (
	OutboxPath     = "/_cognate/outbox"
	OutboxHTMLPath = "/_cognate/outbox.html"
)

// Register mounts the outbox reader on mux.
func (o *Outbox) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+OutboxPath, o.serveJSON)
	mux.HandleFunc("GET "+OutboxHTMLPath, o.serveHTML)
}

// outboxQuery is what the parameters of a request ask for.
type outboxQuery struct {
	Pool, To string
	Limit    int
}

func parseOutboxQuery(r *http.Request) (outboxQuery, bool) {
	q := r.URL.Query()
	oq := outboxQuery{Pool: q.Get("pool"), To: strings.ReplaceAll(q.Get("to"), " ", "+"), Limit: 100}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return oq, false
		}
		oq.Limit = n
	}
	return oq, true
}

// list returns the messages q asks for, bodies opened.
func (o *Outbox) list(r *http.Request, q outboxQuery) ([]OutboxMessage, error) {
	ms, err := o.Store.ListMessages(r.Context(), q.Pool, q.To, q.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]OutboxMessage, 0, len(ms))
	for _, m := range ms {
		om := OutboxMessage{ID: m.ID, PoolID: m.PoolID, Username: m.Username, Kind: m.Kind, Medium: m.Medium,
			Destination: m.Destination, CreatedAt: m.CreatedAt}
		if b, err := Open(o.Keys, m.ID, m.Body); err != nil {
			om.Error = "the body cannot be opened with the master keys of the key file"
		} else {
			om.Subject, om.Text = b.Subject, b.Text
		}
		out = append(out, om)
	}
	return out, nil
}

func (o *Outbox) serveJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	q, ok := parseOutboxQuery(r)
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "limit must be a number from 1 to 1000"})
		return
	}
	ms, err := o.list(r, q)
	if err != nil {
		o.logFailure(r, err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "the outbox could not be read"})
		return
	}
	writeJSON(w, http.StatusOK, OutboxPage{Messages: ms})
}

func (o *Outbox) serveHTML(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	q, ok := parseOutboxQuery(r)
	if !ok {
		http.Error(w, "limit must be a number from 1 to 1000", http.StatusBadRequest)
		return
	}
	ms, err := o.list(r, q)
	if err != nil {
		o.logFailure(r, err)
		http.Error(w, "the outbox could not be read", http.StatusInternalServerError)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	if err := outboxPage.Execute(w, struct {
		Query    outboxQuery
		Messages []OutboxMessage
	}{q, ms}); err != nil {
		o.logger().Warn("outbox page", "error", err)
	}
}

func (o *Outbox) logFailure(r *http.Request, err error) {
	if r.Context().Err() == nil {
		o.logger().Error("outbox reader: list messages", "error", err)
	}
}

func (o *Outbox) logger() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.New(slog.DiscardHandler)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

var outboxPage = template.Must(template.New("outbox").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Cognate outbox</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .3em .5em; text-align: left; vertical-align: top; }
pre { margin: 0; white-space: pre-wrap; }
.warn { color: #a00; }
</style>
</head>
<body>
<h1>Cognate outbox</h1>
<p class="warn">Development only: this page shows temporary passwords and codes. Turn it off with --outbox=false.</p>
<form method="get">
<label>Pool <input name="pool" value="{{.Query.Pool}}"></label>
<label>To <input name="to" value="{{.Query.To}}"></label>
<button>Filter</button>
</form>
<p>{{len .Messages}} message(s), newest first.</p>
<table>
<tr><th>Created</th><th>Pool</th><th>User</th><th>Kind</th><th>Medium</th><th>To</th><th>Subject</th><th>Text</th></tr>
{{range .Messages}}<tr>
<td>{{.CreatedAt.Format "2006-01-02 15:04:05Z07:00"}}</td><td>{{.PoolID}}</td><td>{{.Username}}</td><td>{{.Kind}}</td><td>{{.Medium}}</td><td>{{.Destination}}</td>
<td>{{.Subject}}</td><td>{{if .Error}}<span class="warn">{{.Error}}</span>{{else}}<pre>{{.Text}}</pre>{{end}}</td>
</tr>
{{end}}</table>
</body>
</html>
`))
