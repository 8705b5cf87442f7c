package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/ops/idps"
)

// peopleFields are the person fields of Google's People API
// (people.get's personFields) an attribute mapping can name. Cognito
// describes a Google provider's attributes_url as the People API's
// people/me with attributes_url_add_attributes true: the mapped fields are
// added to the request, as the Graph API's are for Facebook.
var peopleFields = []string{
	"addresses", "ageRanges", "biographies", "birthdays", "calendarUrls", "coverPhotos", "emailAddresses",
	"events", "externalIds", "genders", "imClients", "interests", "locales", "locations", "memberships",
	"miscKeywords", "names", "nicknames", "occupations", "organizations", "phoneNumbers", "photos",
	"relations", "sipAddresses", "skills", "urls", "userDefined",
}

// googlePeople adds to a Google identity's claims the People API fields
// its attribute mapping names, read from attributes_url with the access
// token; nothing is asked when the mapping names none.
func (f *Federation) googlePeople(ctx context.Context, p *idps.Provider, accessToken string, claims map[string]any) error {
	var fields []string
	for _, claim := range p.AttributeMapping {
		if slices.Contains(peopleFields, claim) && !slices.Contains(fields, claim) {
			fields = append(fields, claim)
		}
	}
	if len(fields) == 0 || p.Details["attributes_url_add_attributes"] != "true" || accessToken == "" {
		return nil
	}
	slices.Sort(fields)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.endpoint(p, "attributes_url")+url.QueryEscape(strings.Join(fields, ",")), nil)
	if err != nil {
		return fmt.Errorf("people API request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	body, err := f.Fetch.Do(req)
	if err != nil {
		return fmt.Errorf("people API: %w", err)
	}
	var person map[string]json.RawMessage
	if err := json.Unmarshal(body, &person); err != nil {
		return fmt.Errorf("decode people API person: %w", err)
	}
	for _, field := range fields {
		if v, ok := personValue(field, person[field]); ok {
			claims[field] = v
		}
	}
	return nil
}

// personEntry is one value of a People API person field: the parts the
// fields' values are read from.
type personEntry struct {
	Metadata struct {
		Primary bool `json:"primary"`
	} `json:"metadata"`
	Value          any    `json:"value"`
	CanonicalForm  string `json:"canonicalForm"`
	FormattedValue string `json:"formattedValue"`
	DisplayName    string `json:"displayName"`
	URL            string `json:"url"`
	Name           string `json:"name"`
	Date           *struct {
		Year, Month, Day int
	} `json:"date"`
}

// personValue reads a person field (a list of entries) as the string an
// attribute takes: of its primary entry, else its first, a phone number's
// E.164 canonical form, a birthday as an OpenID Connect birthdate
// (YYYY-MM-DD, 0000-MM-DD without a year), a name's display name, an
// address's formatted value, a photo's URL, an organization's name, or the
// entry's value.
func personValue(field string, raw json.RawMessage) (string, bool) {
	var entries []personEntry
	if len(raw) == 0 || json.Unmarshal(raw, &entries) != nil || len(entries) == 0 {
		return "", false
	}
	e := entries[0]
	for _, c := range entries {
		if c.Metadata.Primary {
			e = c
			break
		}
	}
	var v string
	switch field {
	case "birthdays":
		if e.Date != nil && e.Date.Month > 0 && e.Date.Day > 0 {
			v = fmt.Sprintf("%04d-%02d-%02d", e.Date.Year, e.Date.Month, e.Date.Day)
		}
	case "phoneNumbers":
		v = e.CanonicalForm
	case "names":
		v = e.DisplayName
	case "addresses":
		v = e.FormattedValue
	case "photos", "coverPhotos":
		v = e.URL
	case "organizations":
		v = e.Name
	}
	if s, ok := e.Value.(string); ok && v == "" {
		v = s
	}
	return v, v != ""
}
