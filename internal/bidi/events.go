package bidi

import (
	"encoding/json"
	"fmt"
)

// The events the dashboard's tests read, by name and shape.
const (
	// LogEntryAdded carries a [LogEntry]: a console message, or a
	// JavaScript error the page did not catch.
	LogEntryAdded = "log.entryAdded"
	// UserPromptOpened carries a [UserPrompt]: alert, confirm or prompt
	// opened.
	UserPromptOpened = "browsingContext.userPromptOpened"
)

// LogEntry is the parameters of log.entryAdded.
type LogEntry struct {
	Type  string `json:"type"`  // "console" or "javascript" (an uncaught error)
	Level string `json:"level"` // "debug", "info", "warn" or "error"
	Text  string `json:"text"`
	// Method is console's method ("log", "error", …) for a console entry.
	Method     string `json:"method"`
	StackTrace struct {
		CallFrames []struct {
			URL          string `json:"url"`
			FunctionName string `json:"functionName"`
			LineNumber   int    `json:"lineNumber"`
			ColumnNumber int    `json:"columnNumber"`
		} `json:"callFrames"`
	} `json:"stackTrace"`
}

// Where returns the place the entry comes from (url:line:col of its
// innermost frame), or "" when it carries no stack.
func (e LogEntry) Where() string {
	if len(e.StackTrace.CallFrames) == 0 {
		return ""
	}
	f := e.StackTrace.CallFrames[0]
	return fmt.Sprintf("%s:%d:%d", f.URL, f.LineNumber+1, f.ColumnNumber+1)
}

// UserPrompt is the parameters of browsingContext.userPromptOpened.
type UserPrompt struct {
	Context string `json:"context"`
	Type    string `json:"type"` // "alert", "confirm", "prompt" or "beforeunload"
	Message string `json:"message"`
	Handler string `json:"handler"` // "ignore" when it waits for HandleUserPrompt
}

// Decode decodes the event's parameters into v, such as a *[LogEntry]; it
// returns an error naming the event when they do not fit.
func (e Event) Decode(v any) error {
	if err := json.Unmarshal(e.Params, v); err != nil {
		return fmt.Errorf("bidi: event %s: %w", e.Method, err)
	}
	return nil
}
