package ops

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

func TestPage(t *testing.T) {
	n := func(v int32) *int32 { return &v }
	for _, tc := range []struct {
		size *int32
		want int
	}{{nil, 60}, {n(0), 60}, {n(1), 1}, {n(25), 25}} {
		if got := Page("tok", tc.size, 60); got != (store.Page{Cursor: "tok", Limit: tc.want}) {
			t.Errorf("Page(%v) = %+v, want limit %d", tc.size, got, tc.want)
		}
	}
}

func TestListError(t *testing.T) {
	err := ListError(fmt.Errorf("scan: %w", store.ErrBadCursor), InvalidNextToken, "list groups")
	if ipe, ok := errors.AsType[*model.InvalidParameterException](err); !ok || ipe.Message != "Invalid NextToken." {
		t.Errorf("bad cursor: %v", err)
	}
	boom := errors.New("boom")
	if err := ListError(boom, InvalidNextToken, "list groups"); !errors.Is(err, boom) || err.Error() != "list groups: boom" {
		t.Errorf("other error: %v", err)
	}
}
