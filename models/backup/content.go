package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"bureau/models"
	"bureau/models/strictjson"
)

// revisionContent is what the rest of the import needs of a revision's
// content once it is checked: what the document rows must agree with.
type revisionContent struct {
	slug     string
	officeID string // departments only
}

// checkContent holds a revision's stored text to the rules the API holds
// an edit to, since the public API serves that text as it is: it decodes
// strictly into the model type, passes the model's normalization (which
// sanitizes descriptions and links), and is exactly the text Bureau stores
// for the result. A hand-edited backup could otherwise publish markup or
// links the API refuses. Problems go to c, each named by its path in the
// content ("content.contacts[0].phones[1].number").
func checkContent(c *checker, kind models.Kind, text string) revisionContent {
	if kind == models.KindOffice {
		o := &models.OfficeContent{}
		checkStoredForm(c, kind, text, o)
		return revisionContent{slug: o.Slug}
	}
	d := &models.DepartmentContent{}
	checkStoredForm(c, kind, text, d)
	return revisionContent{slug: d.Slug, officeID: d.OfficeID}
}

// checkStoredForm decodes text into doc and normalizes it.
func checkStoredForm(c *checker, kind models.Kind, text string, doc interface{ Normalize() error }) {
	if err := strictJSON([]byte(text), doc); err != nil {
		c.fail("content is not a %s: %v", kind, contentPaths(err))
		return
	}
	if err := doc.Normalize(); err != nil {
		var v *models.ValidationError
		if !errors.As(err, &v) {
			c.fail("content: %v", err)
			return
		}
		for _, fe := range v.Errors {
			c.fail("content.%s %s", fe.Field, fe.Message)
		}
		return
	}
	stored, err := json.Marshal(doc)
	if err != nil {
		c.fail("content: %v", err)
		return
	}
	if string(stored) != text {
		c.fail("content is not what Bureau stores for it: %s", contentDifference(text, stored))
	}
}

// contentPaths names the fields of a strict decoding error by their path
// in the content.
func contentPaths(err error) error {
	var fields *strictjson.FieldsError
	if !errors.As(err, &fields) {
		return err
	}
	named := &strictjson.FieldsError{}
	for _, f := range fields.Fields {
		named.Fields = append(named.Fields, models.FieldError{Field: "content." + f.Field, Message: f.Message})
	}
	return named
}

// contentDifference says where the stored text departs from Bureau's own
// form of it: the first field whose value differs, or the spelling (key
// order, spacing, escapes) when every value is the same.
func contentDifference(text string, stored []byte) string {
	var got, want any
	if json.Unmarshal([]byte(text), &got) != nil || json.Unmarshal(stored, &want) != nil {
		return "it is not the same JSON"
	}
	if path, ok := firstDifference(got, want, "content"); ok {
		return fmt.Sprintf("%s is not in its normalized and sanitized form", path)
	}
	return "the values are Bureau's but not spelt as Bureau writes them (key order, spacing or escapes)"
}

func firstDifference(got, want any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, true
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if p, differs := firstDifference(g[k], w[k], path+"."+k); differs {
				return p, true
			}
		}
		return path, len(g) != len(w)
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path, true
		}
		for i := range w {
			if p, differs := firstDifference(g[i], w[i], fmt.Sprintf("%s[%d]", path, i)); differs {
				return p, true
			}
		}
		return path, false
	}
	return path, !reflect.DeepEqual(got, want)
}
