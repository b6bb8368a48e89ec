package strictjson_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"bureau/models/strictjson"
)

type record struct {
	ID   string    `json:"id"`
	At   time.Time `json:"at"`
	Tags []string  `json:"tags"`
}

// TestCheck: keys match exactly and once, the text is one object in valid
// UTF-8, and types that decode themselves (time.Time) are left to
// encoding/json.
func TestCheck(t *testing.T) {
	typ := reflect.TypeFor[record]()
	for _, c := range []struct {
		name, text string
		want       string // "" when accepted; else in the error
		whole      bool   // a *BodyError rather than a *FieldsError
	}{
		{"valid", `{"id":"a","at":"2026-01-02T03:04:05Z","tags":["x"]}`, "", false},
		{"key of another case", `{"ID":"a"}`, "ID: is not a field", false},
		{"duplicate key", `{"id":"a","id":"b"}`, "id: is given more than once", false},
		{"wrong type, named by path", `{"tags":["x",1]}`, "tags[1]: must be a string", false},
		{"null body", `null`, "must be a JSON object", true},
		{"two objects", `{}{}`, "exactly one JSON object", true},
		{"invalid UTF-8", "{\"id\":\"\xff\"}", "not valid UTF-8", true},
		{"lone surrogate", `{"id":"\ud800"}`, "surrogate", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := strictjson.Check([]byte(c.text), typ)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			var whole *strictjson.BodyError
			if errors.As(err, &whole) != c.whole {
				t.Fatalf("err %T: whole-body error %v, want %v", err, !c.whole, c.whole)
			}
		})
	}
}
