package authn

import (
	"errors"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
)

func TestCheckClaimTime(t *testing.T) {
	now := time.Date(2017, 4, 5, 22, 42, 34, 0, time.UTC)
	s := &Service{Now: func() time.Time { return now }}
	for _, tc := range []struct {
		ts   string
		want error
	}{
		{"Wed Apr 5 22:42:34 UTC 2017", nil},  // amazon-cognito-identity-js: no leading zero
		{"Wed Apr 05 22:42:34 UTC 2017", nil}, // warrant and older pycognito: leading zero
		{"Wed Apr 5 22:47:34 UTC 2017", nil},  // five minutes ahead
		{"Wed Apr 5 22:37:34 UTC 2017", nil},  // five minutes behind
		{"Wed Apr 5 22:47:35 UTC 2017", &model.NotAuthorizedException{}},
		{"Wed Apr 5 22:37:33 UTC 2017", &model.NotAuthorizedException{}},
		{"Thu Apr 6 22:42:34 UTC 2017", &model.NotAuthorizedException{}},
		{"2017-04-05T22:42:34Z", &model.InvalidParameterException{}},
		{"", &model.InvalidParameterException{}},
	} {
		err := s.CheckClaimTime(tc.ts)
		switch want := tc.want.(type) {
		case nil:
			if err != nil {
				t.Errorf("%q: %v", tc.ts, err)
			}
		case *model.NotAuthorizedException:
			if !errors.As(err, &want) {
				t.Errorf("%q: %v, want NotAuthorizedException", tc.ts, err)
			}
		case *model.InvalidParameterException:
			if !errors.As(err, &want) {
				t.Errorf("%q: %v, want InvalidParameterException", tc.ts, err)
			}
		}
	}
}
