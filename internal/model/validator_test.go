package model

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJavaLen(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"é", 1},             // U+00E9, two bytes in UTF-8
		{"€", 1},             // U+20AC, three bytes
		{"\uFFFF", 1},        // last BMP code point
		{"\U00010000", 2},    // first supplementary code point: a surrogate pair
		{"\U0001F600", 2},    // emoji
		{"a\U0001F600b", 4},  //
		{"\xff", 1},          // invalid UTF-8 counts as U+FFFD, as JSON decoding makes it
		{"日本語\U00020000", 5}, // CJK extension B is outside the BMP
	}
	for _, tt := range tests {
		if got := javaLen(tt.in); got != tt.want {
			t.Errorf("javaLen(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestValidatorPaths(t *testing.T) {
	v := &Validator{}
	tests := []struct{ got, want string }{
		{v.field("", "UserPoolId"), "userPoolId"},
		{v.field("", "MFAOptions"), "mFAOptions"},
		{v.field("contextData", "HttpHeaders"), "contextData.httpHeaders"},
		{v.elem("userAttributes", 0), "userAttributes.1.member"},
		{v.field(v.elem("userAttributes", 9), "Name"), "userAttributes.10.member.name"},
		{v.mapKey("clientMetadata"), "clientMetadata.key"},
		{v.mapValue("clientMetadata"), "clientMetadata.value"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("path = %q, want %q", tt.got, tt.want)
		}
	}
}

func TestValidatorErr(t *testing.T) {
	tests := []struct {
		name string
		run  func(v *Validator)
		want string
	}{
		{"none", func(v *Validator) {}, ""},
		{"in range", func(v *Validator) {
			v.minLen("a", "x", 1, false)
			v.maxLen("a", "x", 1, false)
			v.minValue("n", 5, 5)
			v.maxValue("n", 5, 5)
			v.minItems("l", 1, 1)
			v.maxItems("l", 1, 1)
			v.enum("e", "B", []string{"A", "B"}, false)
			v.pattern("p", "ab", lazyRegexp(`^(?:a+b)$`), "a+b", false)
		}, ""},
		{"one", func(v *Validator) { v.null("userPoolId") },
			"1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{"three", func(v *Validator) {
			v.minLen("a", "", 1, false)
			v.maxValue("n", 9223372036854775807, 60)
			v.maxItems("l", 3, 2)
		}, "3 validation errors detected: " +
			"Value '' at 'a' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
			"Value '9223372036854775807' at 'n' failed to satisfy constraint: Member must have value less than or equal to 60; " +
			"Value at 'l' failed to satisfy constraint: Member must have length less than or equal to 2"},
		{"sensitive", func(v *Validator) {
			v.minLen("password", "pw", 6, true)
			v.enum("challengeName", "NOPE", []string{"SMS_MFA"}, true)
			v.pattern("password", "a b", lazyRegexp(`^(?:[\S]+)$`), `[\S]+`, true)
		}, "3 validation errors detected: " +
			"Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 6; " +
			"Value at 'challengeName' failed to satisfy constraint: Member must satisfy enum value set: [SMS_MFA]; " +
			`Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+`},
		{"blob", func(v *Validator) { v.maxBlob("bytes", 3, 2); v.minBlob("bytes", 0, 1) },
			"2 validation errors detected: " +
				"Value at 'bytes' failed to satisfy constraint: Member must have length less than or equal to 2; " +
				"Value at 'bytes' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &Validator{}
			tt.run(v)
			err := v.Err()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Err() = %v, want nil", err)
				}
				return
			}
			ipe, ok := errors.AsType[*InvalidParameterException](err)
			if !ok {
				t.Fatalf("Err() = %T, want *InvalidParameterException", err)
			}
			if diff := cmp.Diff(tt.want, ipe.Message); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if ipe.ReasonCode != "" {
				t.Errorf("ReasonCode = %q, want none", ipe.ReasonCode)
			}
		})
	}
}
