package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/seismo-dev/seismo"
)

// readJSON decodes the request body, one JSON value, into v; unknown fields
// are errors, so a misspelt field is not silently dropped. Its error is for
// writeError: too_large (413) past the body limit gate sets, else invalid.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = terr
			if err == nil {
				err = errors.New("more than one JSON value")
			}
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return &seismo.Error{Code: seismo.CodeTooLarge, Message: fmt.Sprintf("request body is over %d bytes", tooLarge.Limit)}
	case errors.Is(err, io.EOF):
		return seismo.Invalid("request body is empty: want a JSON object")
	}
	return seismo.Invalid("request body: " + err.Error())
}
