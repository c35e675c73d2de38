package cri

import (
	"context"
	"errors"
	"fmt"
)

// Code is a gRPC status code, with which the runtime says why a call failed.
type Code uint32

// The codes kadm tells apart, with gRPC's numbers.
const (
	OK               Code = 0
	Canceled         Code = 1
	Unknown          Code = 2
	InvalidArgument  Code = 3
	DeadlineExceeded Code = 4
	NotFound         Code = 5
	PermissionDenied Code = 7
	Internal         Code = 13
	Unimplemented    Code = 12
	Unavailable      Code = 14
	Unauthenticated  Code = 16
)

var codeNames = map[Code]string{
	OK: "OK", Canceled: "Canceled", Unknown: "Unknown", InvalidArgument: "InvalidArgument",
	DeadlineExceeded: "DeadlineExceeded", NotFound: "NotFound", PermissionDenied: "PermissionDenied",
	Internal: "Internal", Unimplemented: "Unimplemented", Unavailable: "Unavailable", Unauthenticated: "Unauthenticated",
}

func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("Code(%d)", uint32(c))
}

// StatusError is a failed call: the runtime's status code and message, or
// the code kadm gives a call that never got an answer (Unavailable when the
// socket cannot be reached).
type StatusError struct {
	Code    Code
	Message string
}

func (e *StatusError) Error() string { return e.Message }

// CodeOf is the status code of err: OK for nil, Canceled or
// DeadlineExceeded for a context's errors, Unknown for errors that carry no
// code.
func CodeOf(err error) Code {
	var se *StatusError
	switch {
	case err == nil:
		return OK
	case errors.As(err, &se):
		return se.Code
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return DeadlineExceeded
	}
	return Unknown
}
