package store

import "context"

// Tags stores the tags of pools: the one record of a pool's tags, which
// CreateUserPool, UpdateUserPool, TagResource and UntagResource write and
// DescribeUserPool and ListTagsForResource read.
type Tags interface {
	// GetTags returns a pool's tags (empty when it has none), or ErrNotFound
	// if the pool does not exist.
	GetTags(ctx context.Context, poolID string) (map[string]string, error)
	// UpdateTags reads a pool's tags, applies fn and writes the result, in
	// one transaction that holds off concurrent updates of the pool's tags.
	// If fn returns an error nothing is written and that error is returned.
	// ErrNotFound if the pool does not exist.
	UpdateTags(ctx context.Context, poolID string, fn func(tags map[string]string) error) (map[string]string, error)
}
