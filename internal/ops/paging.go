package ops

import (
	"errors"
	"fmt"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// InvalidNextToken is the message for a NextToken the store cannot read.
const InvalidNextToken = "Invalid NextToken."

// Page returns the store page a list request asks for: from the request's
// token, of the request's size, or of def when the size is absent or 0.
// The model has already checked the size against the operation's range.
func Page(token string, size *int32, def int) store.Page {
	n := def
	if size != nil && *size > 0 {
		n = int(*size)
	}
	return store.Page{Cursor: token, Limit: n}
}

// ListError returns the error of a listing: a token the store cannot read
// (store.ErrBadCursor: malformed, or from another list) is the
// InvalidParameterException with badToken as its message; any other error
// is wrapped with what.
func ListError(err error, badToken, what string) error {
	if errors.Is(err, store.ErrBadCursor) {
		return &model.InvalidParameterException{Message: badToken}
	}
	return fmt.Errorf("%s: %w", what, err)
}
