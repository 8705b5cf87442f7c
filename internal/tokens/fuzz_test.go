package tokens

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzVerify checks that Verify refuses everything but the tokens the pool
// signed, always with ErrInvalidToken, and that what it accepts carries
// exactly the claims that were signed: no input forges or alters claims.
func FuzzVerify(f *testing.F) {
	s, _ := setup(f, sqliteDB(f), poolA)
	signed := map[Use]map[string]any{
		IDToken:     claims(poolA, IDToken),
		AccessToken: claims(poolA, AccessToken),
	}
	want := map[string]string{} // token_use -> claims as JSON
	for use, c := range signed {
		tok := mustSign(f, s, poolA, use, c)
		f.Add(tok)
		f.Add(tok[:len(tok)-2])
		h, p, parts := segments(f, tok)
		h["alg"] = "none"
		f.Add(encodeSegment(f, h) + "." + parts[1] + ".")
		p["exp"] = now.Add(-time.Minute).Unix()
		f.Add(parts[0] + "." + encodeSegment(f, p) + "." + parts[2])
		b, _ := json.Marshal(c)
		want[string(use)] = string(b)
	}
	f.Add("")
	f.Add("..")
	f.Add("e30.e30.e30")
	f.Add(`{"payload":"e30","signatures":[]}`)
	f.Fuzz(func(t *testing.T, token string) {
		got, err := s.Verify(t.Context(), poolA, token)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify(%q) error %v does not wrap ErrInvalidToken", token, err)
			}
			return
		}
		use, _ := got["token_use"].(string)
		var signedClaims any
		if err := json.Unmarshal([]byte(want[use]), &signedClaims); err != nil {
			t.Fatalf("Verify(%q) accepted claims %v that were never signed", token, got)
		}
		gotJSON, _ := json.Marshal(got)
		var gotClaims any
		json.Unmarshal(gotJSON, &gotClaims)
		if d := cmp.Diff(signedClaims, gotClaims); d != "" {
			t.Fatalf("Verify(%q) accepted altered claims (-signed +got):\n%s", token, d)
		}
	})
}
