package userpool

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cognate-idp/cognate/internal/golden"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// The stored form of a pool's settings is the JSON of model.UserPoolType,
// a wire shape generated from the API model. This pins it: every member,
// filled, encodes to testdata/pool-settings.golden, and that document
// decodes and encodes again to the same bytes. A regenerated model that
// renames or retypes a member fails here before it can change (or stop
// reading) what is on disk; such a change needs a migration of the stored
// documents, then `go test -update`.
func TestStoredPoolSettings(t *testing.T) {
	var s model.UserPoolType
	golden.Fill(&s)
	doc, err := Encode(&s)
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, doc, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "pool-settings", pretty.String()+"\n")

	p, err := Decode(&store.Pool{ID: "us-east-1_golden", Config: doc})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Encode(&p.Settings)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, doc) {
		t.Errorf("the stored document does not survive decoding:\n%s\n%s", doc, again)
	}
}
