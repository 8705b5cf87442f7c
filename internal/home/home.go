// Package home serves the server's front page (GET /): a short page that
// names the version and the URLs a developer reaches for first.
package home

import (
	"html/template"
	"net/http"
)

// Page is the front page. Its zero value shows only what every server has.
type Page struct {
	// Version is the server's version.
	Version string
	// Outbox says whether the development outbox is served.
	Outbox bool
	// Dev says whether the development reset routes are served.
	Dev bool
}

// Register mounts the page on GET / (and so HEAD /) of mux.
func (p Page) Register(mux *http.ServeMux) {
	mux.Handle("GET /{$}", p)
}

var page = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cognate {{.Version}}</title></head>
<body>
<h1>Cognate {{.Version}}</h1>
<p>An identity server that speaks the Amazon Cognito user pools API (<code>cognito-idp</code>, AWS JSON 1.1).</p>
<ul>
<li>API endpoint: <code>{{.Base}}</code>, for example
<code>aws --endpoint-url {{.Base}} --region us-east-1 cognito-idp list-user-pools --max-results 10</code></li>
<li>A pool's signing keys and OpenID Connect discovery document:
<code>{{.Base}}/&lt;pool ID&gt;/.well-known/jwks.json</code>,
<code>{{.Base}}/&lt;pool ID&gt;/.well-known/openid-configuration</code></li>
{{- if .Outbox}}
<li>Development outbox (messages with their codes): <a href="/_cognate/outbox.html">/_cognate/outbox.html</a>,
<code>{{.Base}}/_cognate/outbox</code> as JSON</li>
{{- end}}
{{- if .Dev}}
<li>Development mode: <code>POST {{.Base}}/_cognate/reset</code> deletes every user pool</li>
{{- end}}
</ul>
</body></html>
`))

// ServeHTTP writes the page, with the URLs made from the request's Host.
func (p Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	page.Execute(w, struct {
		Page
		Base string
	}{p, scheme + "://" + r.Host})
}
