package branding

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// kindUI is the settings document of a hosted UI (classic)
// customization: the pool's, and each app client's.
const kindUI = "ui-customization"

// allClients is the ClientId of the pool's customization, which every app
// client without one of its own uses.
const allClients = "ALL"

// MaxImageBytes is the largest logo Cognito accepts: 100 KB.
const MaxImageBytes = 100 * 1024

// uiDoc is what a customization document keeps.
type uiDoc struct {
	CSS string `json:"css,omitempty"`
	// Image is the logo, PNG or JPEG, and ImageExt its file extension.
	Image    []byte `json:"image,omitempty"`
	ImageExt string `json:"imageExt,omitempty"`
	// Version is the CSSVersion: when the customization was set, as
	// yyyyMMddHHmmss.
	Version string `json:"version"`
}

// imageExt returns the file extension of a PNG or JPEG image, or "".
func imageExt(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "jpg"
	}
	return ""
}

// target returns the settings document's client of a request's ClientId:
// "" (the pool's own) for none or ALL.
func target(clientID string) string {
	if clientID == allClients {
		return ""
	}
	return clientID
}

// SetUICustomization sets the hosted UI (classic) CSS and logo of the pool
// (ClientId ALL) or of one app client, which then no longer uses the
// pool's. The request replaces both; one with neither removes the
// customization, and a client goes back to the pool's. The pool must have a
// domain.
func (s *Service) SetUICustomization(ctx context.Context, in *model.SetUICustomizationRequest) (*model.SetUICustomizationResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	ds, err := s.Store.ListPoolDomains(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	if len(ds) == 0 {
		return nil, invalid("There has to be an existing domain associated with this user pool")
	}
	client := target(in.ClientId)
	if client != "" {
		if err := checkClient(ctx, s.Store, p.ID, client); err != nil {
			return nil, err
		}
	}
	if err := checkCSS(in.CSS); err != nil {
		return nil, err
	}
	var ext string
	if len(in.ImageFile) > 0 {
		if len(in.ImageFile) > MaxImageBytes {
			return nil, invalid("The logo image is %d bytes; it can be no larger than 100 KB.", len(in.ImageFile))
		}
		if ext = imageExt(in.ImageFile); ext == "" {
			return nil, invalid("The logo image must be a PNG or JPEG file.")
		}
	}
	now := s.Now()
	var doc []byte
	if in.CSS != "" || len(in.ImageFile) > 0 {
		d := uiDoc{CSS: in.CSS, Image: in.ImageFile, ImageExt: ext, Version: now.UTC().Format("20060102150405")}
		if doc, err = json.Marshal(d); err != nil {
			return nil, fmt.Errorf("encode UI customization: %w", err)
		}
	}
	rec, err := s.Store.UpdatePoolSetting(ctx, p.ID, client, kindUI, func(rec *store.PoolSetting) error {
		rec.Doc, rec.UpdatedAt = doc, now
		if rec.CreatedAt.IsZero() {
			rec.CreatedAt = now
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.missing(ctx, p.ID, client)
	}
	if err != nil {
		return nil, fmt.Errorf("set UI customization: %w", err)
	}
	if doc == nil {
		return &model.SetUICustomizationResponse{UICustomization: &model.UICustomizationType{UserPoolId: p.ID, ClientId: clientName(client)}}, nil
	}
	out, err := s.uiType(rec)
	if err != nil {
		return nil, err
	}
	return &model.SetUICustomizationResponse{UICustomization: out}, nil
}

func clientName(client string) string {
	if client == "" {
		return allClients
	}
	return client
}

// GetUICustomization returns the hosted UI (classic) customization an app
// client uses, its own or else the pool's, or the pool's (ClientId ALL or
// none). With no customization the answer is empty.
func (s *Service) GetUICustomization(ctx context.Context, in *model.GetUICustomizationRequest) (*model.GetUICustomizationResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	clients := []string{""}
	if client := target(in.ClientId); client != "" {
		if err := checkClient(ctx, s.Store, p.ID, client); err != nil {
			return nil, err
		}
		clients = []string{client, ""}
	}
	for _, c := range clients {
		rec, err := s.Store.GetPoolSetting(ctx, p.ID, c, kindUI)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("get UI customization: %w", err)
		}
		out, err := s.uiType(rec)
		if err != nil {
			return nil, err
		}
		return &model.GetUICustomizationResponse{UICustomization: out}, nil
	}
	return &model.GetUICustomizationResponse{UICustomization: &model.UICustomizationType{}}, nil
}

func (s *Service) uiType(rec *store.PoolSetting) (*model.UICustomizationType, error) {
	var d uiDoc
	if err := json.Unmarshal(rec.Doc, &d); err != nil {
		return nil, fmt.Errorf("decode UI customization: %w", err)
	}
	out := &model.UICustomizationType{
		UserPoolId: rec.PoolID, ClientId: clientName(rec.ClientID), CSS: d.CSS, CSSVersion: d.Version,
		CreationDate: model.NewTime(rec.CreatedAt), LastModifiedDate: model.NewTime(rec.UpdatedAt),
	}
	if len(d.Image) > 0 {
		out.ImageUrl = s.imageURL(rec.PoolID, clientName(rec.ClientID), d.Version, d.ImageExt)
	}
	return out, nil
}

// imagePath is where the server serves customization logos.
const imagePath = "/_cognate/ui/{pool}/{client}/{version}/assets/images/{file}"

func (s *Service) imageURL(poolID, client, version, ext string) string {
	base := ""
	if s.BaseURL != nil {
		base = s.BaseURL()
	}
	return fmt.Sprintf("%s/_cognate/ui/%s/%s/%s/assets/images/image.%s",
		base, url.PathEscape(poolID), url.PathEscape(client), url.PathEscape(version), ext)
}

// RegisterHTTP serves the logos of hosted UI customizations on mux, at the
// ImageUrl that GetUICustomization returns. A URL names one version of a
// customization, so its answer can be cached for good.
func (s *Service) RegisterHTTP(mux *http.ServeMux) {
	mux.HandleFunc("GET "+imagePath, s.serveImage)
}

func (s *Service) serveImage(w http.ResponseWriter, r *http.Request) {
	client := target(r.PathValue("client"))
	rec, err := s.Store.GetPoolSetting(r.Context(), r.PathValue("pool"), client, kindUI)
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.Logger().Error("serve UI customization image", "pool", r.PathValue("pool"), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var d uiDoc
	if err := json.Unmarshal(rec.Doc, &d); err != nil || len(d.Image) == 0 ||
		d.Version != r.PathValue("version") || r.PathValue("file") != "image."+d.ImageExt {
		http.NotFound(w, r)
		return
	}
	ctype := "image/png"
	if d.ImageExt == "jpg" {
		ctype = "image/jpeg"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(d.Image)))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Last-Modified", rec.UpdatedAt.UTC().Format(http.TimeFormat))
	if r.Method != http.MethodHead {
		w.Write(d.Image)
	}
}
