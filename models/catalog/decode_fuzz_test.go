package catalog

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeContentMatchesEncodingJSON holds decodeContent (goccy/go-json
// on valid UTF-8) to encoding/json on any valid JSON: same error or not,
// same value, and no panic.
func FuzzDecodeContentMatchesEncodingJSON(f *testing.F) {
	for i := range 20 {
		b, err := json.Marshal(seedLikeDepartment(i))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`{"data":{"name":"N","description_text":"T","contacts":[{"label":"L","address":{"street":"S"}}]}}`)
	f.Add(`{"slug":"a\/b","name":"Caf\u00e9 \"x\"","contacts":[{"phones":[{"number":"1"}],"emails":null}],"position":1e3}`)
	f.Fuzz(func(t *testing.T, content string) {
		if !json.Valid([]byte(content)) {
			// goccy/go-json does not validate what it skips: it decodes
			// {"":[""""]} (an unknown field's malformed value) without an
			// error, where encoding/json refuses it. Bureau's stored
			// content is always valid JSON.
			t.Skip()
		}
		decodesLikeEncodingJSON(t, "fuzzed", content)
	})
}
