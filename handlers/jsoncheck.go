package handlers

import (
	"errors"
	"reflect"

	"bureau/models/strictjson"
)

// checkJSONShape refuses a request body that does not mean exactly one
// thing as t (see strictjson.Check): a 400 for the body as a whole, or a
// validation problem naming each field by the path the client sent.
func checkJSONShape(body []byte, t reflect.Type) error {
	err := strictjson.Check(body, t)
	var whole *strictjson.BodyError
	var fields *strictjson.FieldsError
	switch {
	case errors.As(err, &whole):
		return errBadRequest(whole.Reason)
	case errors.As(err, &fields):
		return errInvalid(fields.Fields...)
	}
	return err
}
