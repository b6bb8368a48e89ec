// Package strictjson checks a JSON object against the Go type it will be
// decoded into, before encoding/json sees it. encoding/json alone matches
// keys case-insensitively, takes the last of duplicate keys, treats a null
// body as a no-op, turns invalid UTF-8 into U+FFFD, and names a bad field by
// its Go struct path without indexes. Check refuses all of those, naming
// each field by the path the text holds ("contacts[0].phones[1].number"),
// so the decode that follows only ever sees text that means exactly one
// thing. The API checks request bodies with it, and the backup reader its
// records.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"bureau/models"
)

// BodyError refuses the text as a whole: not UTF-8, not JSON, not exactly
// one object.
type BodyError struct{ Reason string }

func (e *BodyError) Error() string { return e.Reason }

// FieldsError names every field of the object that is refused: a key given
// twice, a key the type does not have (keys match exactly), a value of the
// wrong JSON type.
type FieldsError struct{ Fields []models.FieldError }

func (e *FieldsError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

func bodyError(reason string) error { return &BodyError{Reason: reason} }

// Check walks the JSON object text token by token against t, the struct
// type it will be decoded into. It returns a *BodyError or a *FieldsError.
func Check(body []byte, t reflect.Type) error {
	if !utf8.Valid(body) {
		return bodyError("the body is not valid UTF-8")
	}
	if hasLoneSurrogate(body) {
		return bodyError(`the body has an unpaired UTF-16 surrogate escape (such as "\ud800")`)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := &shapeWalker{dec: dec}
	first, err := dec.Token()
	if err != nil {
		return bodyError("the body is not valid JSON")
	}
	if d, ok := first.(json.Delim); !ok || d != '{' {
		return bodyError("the body must be a JSON object")
	}
	if err := w.object(t, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bodyError("the body must hold exactly one JSON object")
	}
	if len(w.bad) > 0 {
		return &FieldsError{Fields: w.bad}
	}
	return nil
}

type shapeWalker struct {
	dec *json.Decoder
	bad []models.FieldError
}

// syntaxError stops the walk: the body is not JSON at all.
var syntaxError = bodyError("the body is not valid JSON")

func (w *shapeWalker) token() (json.Token, error) {
	tok, err := w.dec.Token()
	if err != nil {
		return nil, syntaxError
	}
	return tok, nil
}

func (w *shapeWalker) refuse(path, format string, args ...any) {
	w.bad = append(w.bad, models.FieldError{Field: path, Message: fmt.Sprintf(format, args...)})
}

// value checks the value that starts with tok against t.
func (w *shapeWalker) value(t reflect.Type, path string, tok json.Token) error {
	if tok == nil {
		return nil // null: "not set" for pointers, "clear" in merge patches
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType || t.Kind() == reflect.Interface || decodesItself(t) {
		return w.skip(tok)
	}
	delim, isDelim := tok.(json.Delim)
	switch t.Kind() {
	case reflect.Struct:
		if isDelim && delim == '{' {
			return w.object(t, path)
		}
	case reflect.Map:
		if isDelim && delim == '{' {
			return w.mapObject(t.Elem(), path)
		}
	case reflect.Slice, reflect.Array:
		if isDelim && delim == '[' {
			return w.array(t.Elem(), path)
		}
	case reflect.String:
		if _, ok := tok.(string); ok {
			return nil
		}
	case reflect.Bool:
		if _, ok := tok.(bool); ok {
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, ok := tok.(json.Number); ok {
			if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
				w.refuse(path, "must be a whole number in range")
			}
			return nil
		}
	case reflect.Float32, reflect.Float64:
		if _, ok := tok.(json.Number); ok {
			return nil
		}
	}
	w.refuse(path, "must be %s", jsonTypeName(t.Kind()))
	return w.skip(tok)
}

// object checks the members of an object whose '{' was read.
func (w *shapeWalker) object(t reflect.Type, path string) error {
	fields := jsonFields(t)
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.token()
		if err != nil {
			return err
		}
		key := tok.(string) // the decoder only gives strings in key position
		at := key
		if path != "" {
			at = path + "." + key
		}
		tok, err = w.token()
		if err != nil {
			return err
		}
		field, known := fields[key]
		switch {
		case seen[key]:
			w.refuse(at, "is given more than once")
			err = w.skip(tok)
		case !known:
			w.refuse(at, "is not a field you can set here")
			err = w.skip(tok)
		default:
			err = w.value(field, at, tok)
		}
		if err != nil {
			return err
		}
		seen[key] = true
	}
	_, err := w.token() // '}'
	return err
}

// mapObject checks the members of a free-form object whose '{' was read.
func (w *shapeWalker) mapObject(elem reflect.Type, path string) error {
	for w.dec.More() {
		tok, err := w.token()
		if err != nil {
			return err
		}
		at := path + "." + tok.(string)
		if tok, err = w.token(); err != nil {
			return err
		}
		if err := w.value(elem, at, tok); err != nil {
			return err
		}
	}
	_, err := w.token() // '}'
	return err
}

// array checks the elements of an array whose '[' was read.
func (w *shapeWalker) array(elem reflect.Type, path string) error {
	for i := 0; w.dec.More(); i++ {
		tok, err := w.token()
		if err != nil {
			return err
		}
		if err := w.value(elem, fmt.Sprintf("%s[%d]", path, i), tok); err != nil {
			return err
		}
	}
	_, err := w.token() // ']'
	return err
}

// skip reads past the rest of a value that starts with tok.
func (w *shapeWalker) skip(tok json.Token) error {
	depth := 0
	for {
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
		var err error
		if tok, err = w.token(); err != nil {
			return err
		}
	}
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// decodesItself reports whether t reads its own JSON (time.Time does): its
// value is left to encoding/json, which refuses a bad one.
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(reflect.TypeFor[json.Unmarshaler]()) || p.Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// jsonFields maps the exact JSON names of a struct's fields (embedded
// structs' fields included, as encoding/json promotes them) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || (f.Anonymous && f.Tag.Get("json") == "") {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		if _, taken := out[name]; !taken || len(f.Index) == 1 {
			out[name] = f.Type
		}
	}
	return out
}

func jsonTypeName(kind reflect.Kind) string {
	switch kind {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a number"
}

// hasLoneSurrogate reports whether a JSON text escapes half of a UTF-16
// surrogate pair without the other half, which encoding/json would
// silently decode as U+FFFD.
func hasLoneSurrogate(body []byte) bool {
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		if i+1 < len(body) && body[i+1] != 'u' {
			i++ // an escaped character, possibly a backslash: skip it
			continue
		}
		r, ok := escapedRune(body, i)
		switch {
		case !ok:
			continue
		case r >= 0xD800 && r <= 0xDBFF:
			low, ok := escapedRune(body, i+6)
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		default:
			i += 5
		}
	}
	return false
}

// escapedRune reads the \uXXXX escape at body[i:].
func escapedRune(body []byte, i int) (rune, bool) {
	if i+6 > len(body) || body[i] != '\\' || body[i+1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(body[i+2:i+6]), 16, 32)
	return rune(n), err == nil
}
