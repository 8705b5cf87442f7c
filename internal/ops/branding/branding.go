// Package branding implements the look of a pool's hosted sign-in pages:
// hosted UI (classic) customization (SetUICustomization,
// GetUICustomization), whose logos it also serves, and managed login
// branding styles (CreateManagedLoginBranding, DescribeManagedLoginBranding,
// DescribeManagedLoginBrandingByClient, UpdateManagedLoginBranding,
// DeleteManagedLoginBranding).
package branding

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service serves the branding operations.
type Service struct {
	ops.Deps
	// BaseURL returns the server's public base URL, which logo URLs start
	// with.
	BaseURL func() string
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpSetUICustomization, s.SetUICustomization)
	awsjson.Handle(m, model.OpGetUICustomization, s.GetUICustomization)
	awsjson.Handle(m, model.OpCreateManagedLoginBranding, s.CreateManagedLoginBranding)
	awsjson.Handle(m, model.OpDescribeManagedLoginBranding, s.DescribeManagedLoginBranding)
	awsjson.Handle(m, model.OpDescribeManagedLoginBrandingByClient, s.DescribeManagedLoginBrandingByClient)
	awsjson.Handle(m, model.OpUpdateManagedLoginBranding, s.UpdateManagedLoginBranding)
	awsjson.Handle(m, model.OpDeleteManagedLoginBranding, s.DeleteManagedLoginBranding)
}

func invalid(format string, args ...any) error {
	return &model.InvalidParameterException{Message: fmt.Sprintf(format, args...)}
}

// checkClient returns the ResourceNotFoundException of a client that is
// not in the pool.
func checkClient(ctx context.Context, st store.Clients, poolID, clientID string) error {
	_, err := st.GetClient(ctx, poolID, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return appclient.NotFound(clientID)
	}
	if err != nil {
		return fmt.Errorf("get client: %w", err)
	}
	return nil
}

// poolOr returns the pool's ResourceNotFoundException when the pool does
// not exist, and err otherwise.
func (s *Service) poolOr(ctx context.Context, poolID string, err error) error {
	if _, perr := s.Pools.Load(ctx, s.Store, poolID); perr != nil {
		return perr
	}
	return err
}

// missing returns the error for a pool or client that is not there.
func (s *Service) missing(ctx context.Context, poolID, clientID string) error {
	if _, err := s.Pools.Load(ctx, s.Store, poolID); err != nil {
		return err
	}
	if clientID != "" {
		return checkClient(ctx, s.Store, poolID, clientID)
	}
	return userpool.NotFound(poolID)
}

func notFound(id string) error {
	return &model.ResourceNotFoundException{Message: fmt.Sprintf("Managed login branding style %s does not exist.", id)}
}

func exists(clientID string) error {
	return &model.ManagedLoginBrandingExistsException{Message: fmt.Sprintf("App client %s already has a managed login branding style; update it, or delete it first.", clientID)}
}

// assetKey identifies the asset of one category and color mode: a style
// has at most one of each.
func assetKey(a *model.AssetType) string { return a.Category + "/" + a.ColorMode }

// assetExtension returns the extension the bytes of an image file are in,
// or "".
func assetExtension(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return model.AssetExtensionTypePng
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return model.AssetExtensionTypeJpeg
	case bytes.HasPrefix(b, []byte{0, 0, 1, 0}):
		return model.AssetExtensionTypeIco
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return model.AssetExtensionTypeWebp
	case utf8.Valid(b) && bytes.Contains(bytes.ToLower(b[:min(len(b), 4096)]), []byte("<svg")):
		return model.AssetExtensionTypeSvg
	}
	return ""
}

// checkAssets checks a request's assets: one per category and color mode,
// each with bytes in the file type its Extension names, favicons as ICO or
// SVG files as their category says, and SVG files without script.
func checkAssets(assets []model.AssetType) error {
	seen := map[string]bool{}
	for i := range assets {
		a := &assets[i]
		if seen[assetKey(a)] {
			return invalid("Assets has two images of category %s and color mode %s.", a.Category, a.ColorMode)
		}
		seen[assetKey(a)] = true
		if len(a.Bytes) == 0 {
			return invalid("The %s asset has no Bytes.", a.Category)
		}
		if got := assetExtension(a.Bytes); got != a.Extension {
			return invalid("The %s asset's Bytes are not a %s file.", a.Category, a.Extension)
		}
		switch {
		case a.Category == model.AssetCategoryTypeFaviconIco && a.Extension != model.AssetExtensionTypeIco,
			a.Category == model.AssetCategoryTypeFaviconSvg && a.Extension != model.AssetExtensionTypeSvg:
			return invalid("The %s asset must be a %s file.", a.Category, strings.TrimPrefix(a.Category, "FAVICON_"))
		}
		if a.Extension == model.AssetExtensionTypeSvg && svgScript(a.Bytes) {
			return invalid("The %s asset is an SVG file with script in it; SVG assets must not run script.", a.Category)
		}
	}
	return nil
}

// svgScript reports whether an SVG file could run script: the pages show
// assets to users, so they must not.
func svgScript(b []byte) bool {
	svg := strings.ToLower(string(b))
	for _, bad := range []string{"<script", "javascript:", "<foreignobject", "<iframe", "<embed", "<object"} {
		if strings.Contains(svg, bad) {
			return true
		}
	}
	return hasEventAttribute(svg)
}

// hasEventAttribute reports whether an SVG document has an event handler
// attribute (onload=, onclick=, ...).
func hasEventAttribute(svg string) bool {
	for i := 0; i+3 < len(svg); i++ {
		c := svg[i]
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '/' {
			continue
		}
		rest := svg[i+1:]
		if !strings.HasPrefix(rest, "on") {
			continue
		}
		j := 2
		for j < len(rest) && rest[j] >= 'a' && rest[j] <= 'z' {
			j++
		}
		k := j
		for k < len(rest) && (rest[k] == ' ' || rest[k] == '\t' || rest[k] == '\n' || rest[k] == '\r') {
			k++
		}
		if j > 2 && k < len(rest) && rest[k] == '=' {
			return true
		}
	}
	return false
}

// mergeAssets returns old with each of the new assets replacing the one of
// its category and color mode, or added.
func mergeAssets(old, add []model.AssetType) []model.AssetType {
	out := append([]model.AssetType(nil), old...)
	for _, a := range add {
		i := -1
		for j := range out {
			if assetKey(&out[j]) == assetKey(&a) {
				i = j
				break
			}
		}
		if i < 0 {
			out = append(out, a)
		} else {
			out[i] = a
		}
	}
	return out
}

// maxAssets is how many images a style may hold.
const maxAssets = 40

func decodeAssets(b []byte) ([]model.AssetType, error) {
	var out []model.AssetType
	if len(b) == 0 {
		return out, nil
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode branding assets: %w", err)
	}
	return out, nil
}

func encodeAssets(as []model.AssetType) ([]byte, error) {
	if len(as) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(as)
	if err != nil {
		return nil, fmt.Errorf("encode branding assets: %w", err)
	}
	return b, nil
}

// brandingType is a stored style as the operations return it; with merged
// set, unset options show Cognate's defaults.
func brandingType(b *store.Branding, merged bool) (*model.ManagedLoginBrandingType, error) {
	assets, err := decodeAssets(b.Assets)
	if err != nil {
		return nil, err
	}
	out := &model.ManagedLoginBrandingType{
		ManagedLoginBrandingId: b.ID, UserPoolId: b.PoolID, UseCognitoProvidedValues: &b.UseCognitoProvidedValues,
		Assets: assets, CreationDate: model.NewTime(b.CreatedAt), LastModifiedDate: model.NewTime(b.UpdatedAt),
	}
	if out.Assets == nil {
		out.Assets = []model.AssetType{}
	}
	settings := map[string]any{}
	if len(b.Settings) > 0 {
		if err := json.Unmarshal(b.Settings, &settings); err != nil {
			return nil, fmt.Errorf("decode branding settings: %w", err)
		}
	}
	if merged {
		var base map[string]any
		if err := json.Unmarshal([]byte(defaultSettings), &base); err != nil {
			return nil, fmt.Errorf("decode default branding settings: %w", err)
		}
		settings = mergeSettings(base, settings)
	}
	if out.Settings, err = json.Marshal(settings); err != nil {
		return nil, fmt.Errorf("encode branding settings: %w", err)
	}
	return out, nil
}

// checkStyle applies the checks common to creating and updating a style:
// managed login needs the Essentials or Plus plan, and a style either uses
// Cognito's values or gives its own.
func checkStyle(p *userpool.Pool, useCognito *bool, settings json.RawMessage, assets []model.AssetType) (map[string]any, error) {
	if err := userpool.RequireTier(userpool.Tier(&p.Settings), model.UserPoolTierTypeEssentials, "Managed login branding"); err != nil {
		return nil, err
	}
	if useCognito != nil && *useCognito && (len(settings) > 0 || len(assets) > 0) {
		return nil, invalid("When UseCognitoProvidedValues is true, Settings and Assets must be left out.")
	}
	if err := checkAssets(assets); err != nil {
		return nil, err
	}
	if len(settings) == 0 {
		return nil, nil
	}
	return checkSettings(settings)
}

// CreateManagedLoginBranding creates the branding style of an app client;
// a client has one at most.
func (s *Service) CreateManagedLoginBranding(ctx context.Context, in *model.CreateManagedLoginBrandingRequest) (*model.CreateManagedLoginBrandingResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	settings, err := checkStyle(p, in.UseCognitoProvidedValues, in.Settings, in.Assets)
	if err != nil {
		return nil, err
	}
	if err := checkClient(ctx, s.Store, p.ID, in.ClientId); err != nil {
		return nil, err
	}
	id, err := s.IDs.UUID()
	if err != nil {
		return nil, err
	}
	now := s.Now()
	b := &store.Branding{PoolID: p.ID, ClientID: in.ClientId, ID: id, CreatedAt: now, UpdatedAt: now,
		UseCognitoProvidedValues: in.UseCognitoProvidedValues != nil && *in.UseCognitoProvidedValues}
	if settings != nil {
		if b.Settings, err = json.Marshal(settings); err != nil {
			return nil, fmt.Errorf("encode branding settings: %w", err)
		}
	}
	if b.Assets, err = encodeAssets(in.Assets); err != nil {
		return nil, err
	}
	err = s.Store.CreateBranding(ctx, b)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, exists(in.ClientId)
	case errors.Is(err, store.ErrNotFound):
		return nil, s.missing(ctx, p.ID, in.ClientId)
	case err != nil:
		return nil, fmt.Errorf("create branding: %w", err)
	}
	out, err := brandingType(b, false)
	if err != nil {
		return nil, err
	}
	return &model.CreateManagedLoginBrandingResponse{ManagedLoginBranding: out}, nil
}

// DescribeManagedLoginBranding returns a branding style by ID.
func (s *Service) DescribeManagedLoginBranding(ctx context.Context, in *model.DescribeManagedLoginBrandingRequest) (*model.DescribeManagedLoginBrandingResponse, error) {
	b, err := s.Store.GetBranding(ctx, in.UserPoolId, in.ManagedLoginBrandingId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.poolOr(ctx, in.UserPoolId, notFound(in.ManagedLoginBrandingId))
	}
	if err != nil {
		return nil, fmt.Errorf("get branding: %w", err)
	}
	out, err := brandingType(b, in.ReturnMergedResources != nil && *in.ReturnMergedResources)
	if err != nil {
		return nil, err
	}
	return &model.DescribeManagedLoginBrandingResponse{ManagedLoginBranding: out}, nil
}

// DescribeManagedLoginBrandingByClient returns the branding style of an
// app client.
func (s *Service) DescribeManagedLoginBrandingByClient(ctx context.Context, in *model.DescribeManagedLoginBrandingByClientRequest) (*model.DescribeManagedLoginBrandingByClientResponse, error) {
	b, err := s.Store.GetClientBranding(ctx, in.UserPoolId, in.ClientId)
	if errors.Is(err, store.ErrNotFound) {
		if err := s.missing(ctx, in.UserPoolId, in.ClientId); err != nil {
			return nil, err
		}
		return nil, &model.ResourceNotFoundException{Message: fmt.Sprintf("App client %s has no managed login branding style.", in.ClientId)}
	}
	if err != nil {
		return nil, fmt.Errorf("get client branding: %w", err)
	}
	out, err := brandingType(b, in.ReturnMergedResources != nil && *in.ReturnMergedResources)
	if err != nil {
		return nil, err
	}
	return &model.DescribeManagedLoginBrandingByClientResponse{ManagedLoginBranding: out}, nil
}

// UpdateManagedLoginBranding changes a branding style. As in Cognito, what
// the request leaves out is kept: Settings given are laid over the style's
// (objects merge member by member), and each asset given replaces the one
// of its category and color mode. UseCognitoProvidedValues true returns the
// style to Cognito's values, dropping its settings and assets.
func (s *Service) UpdateManagedLoginBranding(ctx context.Context, in *model.UpdateManagedLoginBrandingRequest) (*model.UpdateManagedLoginBrandingResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	settings, err := checkStyle(p, in.UseCognitoProvidedValues, in.Settings, in.Assets)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.UpdateBranding(ctx, p.ID, in.ManagedLoginBrandingId, func(b *store.Branding) error {
		switch {
		case in.UseCognitoProvidedValues != nil && *in.UseCognitoProvidedValues:
			b.UseCognitoProvidedValues, b.Settings, b.Assets = true, nil, nil
		case in.UseCognitoProvidedValues != nil || settings != nil || len(in.Assets) > 0:
			b.UseCognitoProvidedValues = false
		}
		if settings != nil {
			old := map[string]any{}
			if len(b.Settings) > 0 {
				if err := json.Unmarshal(b.Settings, &old); err != nil {
					return fmt.Errorf("decode branding settings: %w", err)
				}
			}
			doc, err := json.Marshal(mergeSettings(old, settings))
			if err != nil {
				return fmt.Errorf("encode branding settings: %w", err)
			}
			b.Settings = doc
		}
		if len(in.Assets) > 0 {
			old, err := decodeAssets(b.Assets)
			if err != nil {
				return err
			}
			merged := mergeAssets(old, in.Assets)
			if len(merged) > maxAssets {
				return invalid("A style can hold at most %d assets; this update would make %d.", maxAssets, len(merged))
			}
			if b.Assets, err = encodeAssets(merged); err != nil {
				return err
			}
		}
		b.UpdatedAt = s.Now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(in.ManagedLoginBrandingId)
	}
	if err != nil {
		return nil, err
	}
	out, err := brandingType(b, false)
	if err != nil {
		return nil, err
	}
	return &model.UpdateManagedLoginBrandingResponse{ManagedLoginBranding: out}, nil
}

// DeleteManagedLoginBranding deletes a branding style; its app client can
// then have a new one.
func (s *Service) DeleteManagedLoginBranding(ctx context.Context, in *model.DeleteManagedLoginBrandingRequest) (*model.Empty, error) {
	err := s.Store.DeleteBranding(ctx, in.UserPoolId, in.ManagedLoginBrandingId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.poolOr(ctx, in.UserPoolId, notFound(in.ManagedLoginBrandingId))
	}
	if err != nil {
		return nil, fmt.Errorf("delete branding: %w", err)
	}
	return &model.Empty{}, nil
}
