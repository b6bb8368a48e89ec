package models

import (
	"errors"
	"fmt"
	"strings"
)

// Storage-agnostic errors: handlers map these to HTTP answers, so no database
// text ever reaches a client.
var (
	// ErrNotFound: no such row, or one the caller may not know exists.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the change collides with existing data (a taken slug, say).
	ErrConflict = errors.New("conflict")
)

// FieldError names one bad input field, in the JSON path a client sent
// (e.g. "contacts[0].phones[1].number").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError carries every bad field of one input, so a client can fix
// them all at once.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Field + ": " + fe.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a bad field.
func (e *ValidationError) Add(field, format string, args ...any) {
	e.Errors = append(e.Errors, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was added, so callers can write
// `return v.Err()`.
func (e *ValidationError) Err() error {
	if len(e.Errors) == 0 {
		return nil
	}
	return e
}

// Invalid is a ValidationError for a single field.
func Invalid(field, message string) error {
	return &ValidationError{Errors: []FieldError{{Field: field, Message: message}}}
}

// ConflictError says which field collided, e.g. a slug already taken.
type ConflictError struct {
	Field   string
	Message string
}

func (e *ConflictError) Error() string { return e.Field + ": " + e.Message }
func (e *ConflictError) Unwrap() error { return ErrConflict }

// VersionMismatchError: the client edited an older version than the current
// draft. Current lets the client fetch and merge.
type VersionMismatchError struct {
	Current int
}

func (e *VersionMismatchError) Error() string {
	return fmt.Sprintf("the document changed since you read it; current version is %d", e.Current)
}
