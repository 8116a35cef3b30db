package bidi

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
)

// RemoteValue is a script's result as the browser serializes it: its
// JavaScript type ("string", "number", "boolean", "null", "undefined",
// "object", "array", …) and, for the primitives, its value. Results meant
// for Go are simplest as strings: JSON.stringify in the page, then
// json.Unmarshal of [RemoteValue.String].
type RemoteValue struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value,omitempty"`
}

// String returns a string result; it returns an error naming the type of
// any other value.
func (v RemoteValue) String() (string, error) {
	var s string
	if v.Type != "string" || json.Unmarshal(v.Value, &s) != nil {
		return "", fmt.Errorf("bidi: the script returned %s, want a string", v.describe())
	}
	return s, nil
}

// Bool returns a boolean result; it returns an error naming the type of
// any other value.
func (v RemoteValue) Bool() (bool, error) {
	var b bool
	if v.Type != "boolean" || json.Unmarshal(v.Value, &b) != nil {
		return false, fmt.Errorf("bidi: the script returned %s, want a boolean", v.describe())
	}
	return b, nil
}

// Number returns a number result ("NaN", "Infinity", "-Infinity" and
// "-0" as Go's); it returns an error naming the type of any other value.
func (v RemoteValue) Number() (float64, error) {
	var n float64
	if v.Type == "number" && json.Unmarshal(v.Value, &n) == nil {
		return n, nil
	}
	var special string
	if v.Type == "number" && json.Unmarshal(v.Value, &special) == nil {
		switch special {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		case "-0":
			return math.Copysign(0, -1), nil
		}
	}
	return 0, fmt.Errorf("bidi: the script returned %s, want a number", v.describe())
}

// describe names the value for an error: its type, and a primitive's value.
func (v RemoteValue) describe() string {
	if len(v.Value) > 0 && v.Value[0] != '[' && v.Value[0] != '{' {
		return fmt.Sprintf("%s %.80s", v.Type, v.Value)
	}
	return v.Type
}

// ScriptError is an exception a script threw (or a promise it returned
// rejected with), as the browser reports it.
type ScriptError struct {
	Text   string // such as "TypeError: e is null"
	Line   int    // zero-based, in the evaluated source
	Column int
}

// Error says what was thrown and where.
func (e *ScriptError) Error() string {
	return fmt.Sprintf("bidi: the script threw at %d:%d: %s", e.Line+1, e.Column+1, e.Text)
}

// scriptResult is the answer to script.evaluate and script.callFunction.
type scriptResult struct {
	Type             string      `json:"type"` // "success" or "exception"
	Result           RemoteValue `json:"result"`
	ExceptionDetails struct {
		Text         string `json:"text"`
		LineNumber   int    `json:"lineNumber"`
		ColumnNumber int    `json:"columnNumber"`
	} `json:"exceptionDetails"`
}

func (r scriptResult) value() (RemoteValue, error) {
	if r.Type == "exception" {
		d := r.ExceptionDetails
		return RemoteValue{}, &ScriptError{Text: d.Text, Line: d.LineNumber, Column: d.ColumnNumber}
	}
	return r.Result, nil
}

// Evaluate runs a JavaScript expression in the browsing context's page,
// waits for it when it is a promise, and returns its value. It returns a
// [*ScriptError] when the script throws, and an [*Error] when the
// browser cannot run it (no such context, say).
func (c *Conn) Evaluate(ctx context.Context, context, expression string) (RemoteValue, error) {
	params := map[string]any{
		"expression":      expression,
		"target":          map[string]string{"context": context},
		"awaitPromise":    true,
		"resultOwnership": "none",
	}
	var r scriptResult
	if err := c.Call(ctx, "script.evaluate", params, &r); err != nil {
		return RemoteValue{}, err
	}
	return r.value()
}

// CallFunction calls a JavaScript function, given as its source (such as
// "(sel) => document.querySelector(sel) !== null"), with args in the
// browsing context's page, waits for it when it returns a promise, and
// returns its value. Arguments travel as values, not as source, so a
// selector needs no quoting. Each argument is a string, a bool, an int, a
// float64 or nil; another type is an error. Failures are as for
// [Conn.Evaluate].
func (c *Conn) CallFunction(ctx context.Context, context, function string, args ...any) (RemoteValue, error) {
	local := make([]map[string]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case string:
			local[i] = map[string]any{"type": "string", "value": a}
		case bool:
			local[i] = map[string]any{"type": "boolean", "value": a}
		case int:
			local[i] = map[string]any{"type": "number", "value": a}
		case float64:
			local[i] = map[string]any{"type": "number", "value": a}
		case nil:
			local[i] = map[string]any{"type": "null"}
		default:
			return RemoteValue{}, fmt.Errorf("bidi: script.callFunction: argument %d is a %T; want a string, bool, int, float64 or nil", i+1, a)
		}
	}
	params := map[string]any{
		"functionDeclaration": function,
		"arguments":           local,
		"target":              map[string]string{"context": context},
		"awaitPromise":        true,
		"resultOwnership":     "none",
	}
	var r scriptResult
	if err := c.Call(ctx, "script.callFunction", params, &r); err != nil {
		return RemoteValue{}, err
	}
	return r.value()
}
