package branding

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// defaultSettings is the managed login style Cognate applies where a style
// leaves an option unset: what DescribeManagedLoginBranding returns with
// ReturnMergedResources, under the settings the style sets. Colors are
// RRGGBBAA hex, as in the settings document.
const defaultSettings = `{
  "categories": {
    "auth": {
      "authMethodOrder": [[{"display": "BUTTON", "type": "FEDERATED"}, {"display": "INPUT", "type": "USERNAME_PASSWORD"}]],
      "federation": {"interfaceStyle": "BUTTON_LIST", "order": []}
    },
    "form": {
      "displayGraphics": true,
      "instructions": {"enabled": false},
      "languageSelector": {"enabled": false},
      "location": {"horizontal": "CENTER", "vertical": "CENTER"},
      "sessionTimerDisplay": "NONE"
    },
    "global": {
      "colorSchemeMode": "LIGHT",
      "pageFooter": {"enabled": false},
      "pageHeader": {"enabled": false},
      "spacingDensity": "REGULAR"
    },
    "signUp": {"acceptanceElements": [{"enforcement": "NONE", "textKey": "en"}]}
  },
  "componentClasses": {
    "buttons": {"borderRadius": 8.0},
    "divider": {"darkMode": {"borderColor": "232b37ff"}, "lightMode": {"borderColor": "ebebf0ff"}},
    "dropDown": {
      "borderRadius": 8.0,
      "darkMode": {"defaults": {"itemBackgroundColor": "192534ff"}, "hover": {"itemBackgroundColor": "081120ff", "itemBorderColor": "5f6b7aff", "itemTextColor": "e9ebedff"}, "match": {"itemBackgroundColor": "d1d5dbff", "itemTextColor": "89bdeeff"}},
      "lightMode": {"defaults": {"itemBackgroundColor": "ffffffff"}, "hover": {"itemBackgroundColor": "f4f4f4ff", "itemBorderColor": "7d8998ff", "itemTextColor": "000716ff"}, "match": {"itemBackgroundColor": "414d5cff", "itemTextColor": "0972d3ff"}}
    },
    "focusState": {"darkMode": {"borderColor": "539fe5ff"}, "lightMode": {"borderColor": "0972d3ff"}},
    "idpButtons": {"icons": {"enabled": true}},
    "input": {
      "borderRadius": 8.0,
      "darkMode": {"defaults": {"backgroundColor": "0f1b2aff", "borderColor": "5f6b7aff"}, "placeholderColor": "8d99a8ff"},
      "lightMode": {"defaults": {"backgroundColor": "ffffffff", "borderColor": "7d8998ff"}, "placeholderColor": "5f6b7aff"}
    },
    "inputDescription": {"darkMode": {"textColor": "8d99a8ff"}, "lightMode": {"textColor": "5f6b7aff"}},
    "inputLabel": {"darkMode": {"textColor": "d1d5dbff"}, "lightMode": {"textColor": "000716ff"}},
    "link": {
      "darkMode": {"defaults": {"textColor": "539fe5ff"}, "hover": {"textColor": "89bdeeff"}},
      "lightMode": {"defaults": {"textColor": "0972d3ff"}, "hover": {"textColor": "033160ff"}}
    },
    "optionControls": {
      "darkMode": {"defaults": {"backgroundColor": "0f1b2aff", "borderColor": "7d8998ff"}, "selected": {"backgroundColor": "539fe5ff", "foregroundColor": "000716ff"}},
      "lightMode": {"defaults": {"backgroundColor": "ffffffff", "borderColor": "7d8998ff"}, "selected": {"backgroundColor": "0972d3ff", "foregroundColor": "ffffffff"}}
    },
    "statusIndicator": {
      "darkMode": {"error": {"backgroundColor": "1a0000ff", "borderColor": "eb6f6fff", "indicatorColor": "eb6f6fff"}, "pending": {"indicatorColor": "aaaaaaff"}, "success": {"backgroundColor": "001a02ff", "borderColor": "29ad32ff", "indicatorColor": "29ad32ff"}, "warning": {"backgroundColor": "1d1906ff", "borderColor": "e0ca57ff", "indicatorColor": "e0ca57ff"}},
      "lightMode": {"error": {"backgroundColor": "fff7f7ff", "borderColor": "d91515ff", "indicatorColor": "d91515ff"}, "pending": {"indicatorColor": "aaaaaaff"}, "success": {"backgroundColor": "f2fcf3ff", "borderColor": "037f0cff", "indicatorColor": "037f0cff"}, "warning": {"backgroundColor": "fffce9ff", "borderColor": "8d6605ff", "indicatorColor": "8d6605ff"}}
    }
  },
  "components": {
    "alert": {"borderRadius": 12.0, "darkMode": {"error": {"backgroundColor": "1a0000ff", "borderColor": "eb6f6fff"}}, "lightMode": {"error": {"backgroundColor": "fff7f7ff", "borderColor": "d91515ff"}}},
    "favicon": {"enabledTypes": ["ICO", "SVG"]},
    "form": {
      "backgroundImage": {"enabled": false},
      "borderRadius": 8.0,
      "darkMode": {"backgroundColor": "0f1b2aff", "borderColor": "424650ff"},
      "lightMode": {"backgroundColor": "ffffffff", "borderColor": "c6c6cdff"},
      "logo": {"enabled": false, "formInclusion": "IN", "location": "CENTER", "position": "TOP"}
    },
    "idpButton": {
      "custom": {},
      "standard": {
        "darkMode": {"active": {"backgroundColor": "354150ff", "borderColor": "89bdeeff", "textColor": "89bdeeff"}, "defaults": {"backgroundColor": "0f1b2aff", "borderColor": "c6c6cdff", "textColor": "c6c6cdff"}, "hover": {"backgroundColor": "192534ff", "borderColor": "89bdeeff", "textColor": "89bdeeff"}},
        "lightMode": {"active": {"backgroundColor": "d3e7f9ff", "borderColor": "033160ff", "textColor": "033160ff"}, "defaults": {"backgroundColor": "ffffffff", "borderColor": "424650ff", "textColor": "424650ff"}, "hover": {"backgroundColor": "f2f8fdff", "borderColor": "033160ff", "textColor": "033160ff"}}
      }
    },
    "pageBackground": {"darkMode": {"color": "0f1b2aff"}, "image": {"enabled": true}, "lightMode": {"color": "ffffffff"}},
    "pageFooter": {"backgroundImage": {"enabled": false}, "darkMode": {"background": {"color": "0f141aff"}, "borderColor": "424650ff"}, "lightMode": {"background": {"color": "fafafaff"}, "borderColor": "d5dbdbff"}, "logo": {"enabled": false, "location": "START"}},
    "pageHeader": {"backgroundImage": {"enabled": false}, "darkMode": {"background": {"color": "0f141aff"}, "borderColor": "424650ff"}, "lightMode": {"background": {"color": "fafafaff"}, "borderColor": "d5dbdbff"}, "logo": {"enabled": false, "location": "START"}},
    "pageText": {
      "darkMode": {"bodyColor": "b6bec9ff", "descriptionColor": "b6bec9ff", "headingColor": "d1d5dbff"},
      "lightMode": {"bodyColor": "414d5cff", "descriptionColor": "414d5cff", "headingColor": "000716ff"}
    },
    "phoneNumberSelector": {"displayType": "TEXT"},
    "primaryButton": {
      "darkMode": {"active": {"backgroundColor": "539fe5ff", "textColor": "000716ff"}, "defaults": {"backgroundColor": "539fe5ff", "textColor": "000716ff"}, "disabled": {"backgroundColor": "ffffffff", "borderColor": "ffffffff"}, "hover": {"backgroundColor": "89bdeeff", "textColor": "000716ff"}},
      "lightMode": {"active": {"backgroundColor": "033160ff", "textColor": "ffffffff"}, "defaults": {"backgroundColor": "0972d3ff", "textColor": "ffffffff"}, "disabled": {"backgroundColor": "ffffffff", "borderColor": "ffffffff"}, "hover": {"backgroundColor": "033160ff", "textColor": "ffffffff"}}
    },
    "secondaryButton": {
      "darkMode": {"active": {"backgroundColor": "354150ff", "borderColor": "89bdeeff", "textColor": "89bdeeff"}, "defaults": {"backgroundColor": "0f1b2aff", "borderColor": "539fe5ff", "textColor": "539fe5ff"}, "hover": {"backgroundColor": "192534ff", "borderColor": "89bdeeff", "textColor": "89bdeeff"}},
      "lightMode": {"active": {"backgroundColor": "d3e7f9ff", "borderColor": "033160ff", "textColor": "033160ff"}, "defaults": {"backgroundColor": "ffffffff", "borderColor": "0972d3ff", "textColor": "0972d3ff"}, "hover": {"backgroundColor": "f2f8fdff", "borderColor": "033160ff", "textColor": "033160ff"}}
    }
  }
}`

// settingsSections are the top-level members of a settings document.
var settingsSections = []string{"categories", "componentClasses", "components"}

// settingsEnums are the options of the settings document that take one of
// a few values, by path.
var settingsEnums = map[string][]string{
	"categories.global.colorSchemeMode":         {"LIGHT", "DARK", "DYNAMIC"},
	"categories.global.spacingDensity":          {"COMPACT", "REGULAR", "SPACIOUS"},
	"categories.form.location.horizontal":       {"START", "CENTER", "END"},
	"categories.form.location.vertical":         {"START", "CENTER", "END"},
	"categories.auth.federation.interfaceStyle": {"BUTTON_LIST", "DROPDOWN"},
}

var hexColor = regexp.MustCompile(`^[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$`)

// checkSettings checks a settings document: a JSON object of the three
// sections, whose colors (members named ...Color, or color) are RRGGBB or
// RRGGBBAA hex and whose enumerated options take their values.
func checkSettings(doc []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil || m == nil {
		return nil, invalid("Settings must be a JSON object.")
	}
	for k := range m {
		if !slices.Contains(settingsSections, k) {
			return nil, invalid("Settings has an unknown member %q; its members are %s.", k, strings.Join(settingsSections, ", "))
		}
	}
	return m, walkSettings("", m)
}

func walkSettings(path string, v any) error {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if (k == "color" || strings.HasSuffix(k, "Color")) && !isHexColor(v[k]) {
				return invalid("Settings %s must be a color in RRGGBBAA hex, such as 0972d3ff.", p)
			}
			if opts, ok := settingsEnums[p]; ok {
				if s, _ := v[k].(string); !slices.Contains(opts, s) {
					return invalid("Settings %s must be one of %s.", p, strings.Join(opts, ", "))
				}
			}
			if err := walkSettings(p, v[k]); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range v {
			if err := walkSettings(fmt.Sprintf("%s[%d]", path, i), x); err != nil {
				return err
			}
		}
	case nil:
		return invalid("Settings %s is null.", path)
	}
	return nil
}

func isHexColor(v any) bool {
	s, ok := v.(string)
	return ok && hexColor.MatchString(s)
}

// mergeSettings returns over laid onto base: objects merge member by
// member, and any other value of over replaces base's.
func mergeSettings(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range over {
		bo, bok := out[k].(map[string]any)
		oo, ook := v.(map[string]any)
		if bok && ook {
			out[k] = mergeSettings(bo, oo)
			continue
		}
		out[k] = v
	}
	return out
}
