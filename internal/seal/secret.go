package seal

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret is a string that does not show itself: formatted with fmt (any
// verb), logged with slog or marshaled as text or JSON it reads
// "[redacted]". Use it for passwords, codes, tokens and SRP values; convert
// with string(s) at the one place the value is needed.
//
// Two holes remain, as for any method-based redaction: fmt prints an
// unexported struct field without calling its methods, and encoding/json
// writes a map key of string kind as it is. Keep secrets out of both.
type Secret string

const redacted = "[redacted]"

// String returns "[redacted]".
func (Secret) String() string { return redacted }

// GoString returns "[redacted]".
func (Secret) GoString() string { return redacted }

// Format writes "[redacted]" whatever the verb, so that %d or %x print no
// more than %v.
func (Secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// LogValue returns "[redacted]" for slog.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "[redacted]", which encoding/json also uses.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
