// Package model holds the Cognito user pools API as Go types, generated from
// the AWS API model (service-2.json in $COGNATE_API_MODEL, by default
// ../shared/api-model beside the repository): one type per
// structure shape with the model's exact JSON member names, a Validate method
// per operation input that checks every constraint of the model, one error
// type per exception shape, and the operation table. This file and
// validator.go are the hand-written support the generated code uses.
package model

//go:generate go run ./gen ../../../shared/api-model

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// AuthType is how an operation is authorized.
type AuthType int

const (
	// AuthIAM operations are signed with IAM credentials (SigV4): the admin
	// and configuration operations.
	AuthIAM AuthType = iota
	// AuthNone operations are public or authorized by an access token or a
	// session (the model's "authtype": "none").
	AuthNone
)

// Input is an operation's request shape.
type Input interface {
	// Validate checks the model's constraints and returns an
	// *InvalidParameterException describing every violation, or nil.
	Validate() error
}

// Paginator names an operation's pagination members (paginators-1.json).
type Paginator struct {
	InputToken  string
	OutputToken string
	LimitKey    string
	ResultKey   string
}

// Operation is one row of the operation table.
type Operation struct {
	Name string
	Auth AuthType
	// NewInput returns a new, empty request shape.
	NewInput func() Input
	// NewOutput returns a new, empty response shape; nil when the model
	// declares no output (the response is then "{}").
	NewOutput func() any
	// Errors are the exception shapes the model declares for the operation.
	Errors    []string
	Paginator *Paginator
}

// OperationByName returns the table row of an operation.
func OperationByName(name string) (*Operation, bool) {
	op, ok := opIndex[name]
	return op, ok
}

var opIndex = func() map[string]*Operation {
	m := make(map[string]*Operation, len(Operations))
	for i := range Operations {
		m[Operations[i].Name] = &Operations[i]
	}
	return m
}()

// APIError is an error that the protocol layer writes to the wire as is:
// every generated exception type and ProtocolError implement it.
type APIError interface {
	error
	// ErrorCode is the exception name sent as __type and x-amzn-ErrorType.
	ErrorCode() string
	// ErrorMessage is the message sent to the client.
	ErrorMessage() string
	// HTTPStatus is the response status.
	HTTPStatus() int
}

// ProtocolError is an error of the wire protocol itself that the model does
// not declare as a shape (UnknownOperationException, SerializationException,
// NotImplementedException, ...).
type ProtocolError struct {
	Code    string
	Message string
	Status  int
}

func (e *ProtocolError) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns the exception name.
func (e *ProtocolError) ErrorCode() string { return e.Code }

// ErrorMessage returns the message sent to the client.
func (e *ProtocolError) ErrorMessage() string { return e.Message }

// HTTPStatus returns the response status.
func (e *ProtocolError) HTTPStatus() int { return e.Status }

// Time is a timestamp member: on the wire, epoch seconds with a fraction.
type Time struct{ time.Time }

// NewTime returns t as a timestamp member, in UTC with millisecond precision
// as Cognito reports times.
func NewTime(t time.Time) *Time {
	return &Time{t.UTC().Truncate(time.Millisecond)}
}

// MarshalJSON writes epoch seconds with up to three decimals.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads epoch seconds (number), as the SDKs send them.
func (t *Time) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return fmt.Errorf("timestamp %v out of range", f)
	}
	// Round to the millisecond, the precision MarshalJSON writes, so that
	// the binary error of the float does not leak into the nanoseconds
	// (1700000000.123 must not read back as .122999906).
	t.Time = time.UnixMilli(int64(math.Round(f * 1000))).UTC()
	return nil
}

// Empty is the result of an operation whose model declares no output; it is
// sent as "{}".
type Empty struct{}
