package password

import (
	"crypto/rand"
	"errors"
	"testing"

	"github.com/cognate-idp/cognate/internal/model"
)

func ptr[T any](v T) *T { return &v }

func TestCheck(t *testing.T) {
	strict := &model.PasswordPolicyType{MinimumLength: ptr(int32(8)), RequireLowercase: ptr(true), RequireUppercase: ptr(true), RequireNumbers: ptr(true), RequireSymbols: ptr(true)}
	cases := []struct {
		pw   string
		want string
	}{
		{"Passw0rd!", ""},
		{"Pa0!", "Password not long enough"},
		{"PASSW0RD!", "Password must have lowercase characters"},
		{"passw0rd!", "Password must have uppercase characters"},
		{"Password!", "Password must have numeric characters"},
		{"Passw0rdX", "Password must have symbol characters"},
		{"Passw0rd with spaces", "Password must have symbol characters"},
		{"Ünïcödé1^x", ""},
	}
	for _, tc := range cases {
		err := Check(strict, tc.pw)
		if tc.want == "" {
			if err != nil {
				t.Errorf("Check(%q) = %v", tc.pw, err)
			}
			continue
		}
		ip, ok := errors.AsType[*model.InvalidPasswordException](err)
		if !ok || ip.Message != "Password does not conform to policy: "+tc.want {
			t.Errorf("Check(%q) = %v, want %q", tc.pw, err, tc.want)
		}
	}
	if err := Check(&model.PasswordPolicyType{MinimumLength: ptr(int32(6))}, "simple"); err != nil {
		t.Errorf("lenient policy refused: %v", err)
	}
}

func TestGenerateSatisfiesPolicy(t *testing.T) {
	for _, min := range []int32{6, 8, 20, 99} {
		pp := &model.PasswordPolicyType{MinimumLength: ptr(min), RequireLowercase: ptr(true), RequireUppercase: ptr(true), RequireNumbers: ptr(true), RequireSymbols: ptr(true)}
		seen := map[string]bool{}
		for range 100 {
			pw, err := Generate(pp, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(pp, pw); err != nil {
				t.Fatalf("generated %q breaks its policy: %v", pw, err)
			}
			if seen[pw] {
				t.Fatalf("generated %q twice", pw)
			}
			seen[pw] = true
		}
	}
}
