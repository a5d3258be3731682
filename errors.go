package seismo

import "errors"

// Error codes, machine-readable and mapped to HTTP statuses by the api.
const (
	CodeInvalid  = "invalid"
	CodeNotFound = "not_found"
	CodeInternal = "internal"
	// CodeUnauthorized: the request lacks the bearer token its endpoint
	// needs, or has a wrong one.
	CodeUnauthorized = "unauthorized"
	// CodeAdminDisabled: the endpoint is for the admin, and no admin token
	// is configured, so nobody may use it.
	CodeAdminDisabled = "admin_disabled"
	// CodeTooLarge: the request body is over the limit.
	CodeTooLarge = "too_large"
)

// Error is an application error: a code for machines and a message that is
// safe to show to users.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// NotFound returns an error for a missing resource.
func NotFound(msg string) error { return &Error{Code: CodeNotFound, Message: msg} }

// Invalid returns an error for a bad request from a user.
func Invalid(msg string) error { return &Error{Code: CodeInvalid, Message: msg} }

// ErrorCode returns the code of the application error in err's chain, or
// CodeInternal for any other error, or "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-safe message of err: the application error's
// message, or a generic text for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
