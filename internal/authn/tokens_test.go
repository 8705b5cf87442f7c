package authn

import (
	"reflect"
	"testing"
)

func TestIdentitiesClaim(t *testing.T) {
	got := identitiesClaim(`[{"userId":"1234","providerName":"Google","providerType":"Google","issuer":null,"primary":true,"dateCreated":1583423545013}]`)
	want := []map[string]any{{"userId": "1234", "providerName": "Google", "providerType": "Google", "issuer": nil, "primary": "true", "dateCreated": "1583423545013"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
	if got := identitiesClaim("not json"); got != "not json" {
		t.Errorf("a value that is not an array: %#v", got)
	}
}

func TestLockFor(t *testing.T) {
	for n, want := range map[int]string{4: "0s", 5: "1s", 6: "2s", 10: "32s", 14: "8m32s", 15: "15m0s", 40: "15m0s"} {
		if got := lockFor(n).String(); got != want {
			t.Errorf("lockFor(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestMaskDestination(t *testing.T) {
	for in, want := range map[string]string{"bob@example.com": "b***@e***", "+15550000100": "+*******0100", "x": "***"} {
		if got := MaskDestination(in); got != want {
			t.Errorf("MaskDestination(%q) = %q, want %q", in, got, want)
		}
	}
}
