// Package bidi is a small WebDriver BiDi client for Decoy's browser tests:
// it starts Firefox headless with a throwaway profile, talks to it over
// its own WebSocket (no geckodriver), sends commands and reads events.
//
// It covers what the dashboard's tests need (navigate, evaluate script,
// answer confirm dialogs, read the console, take screenshots) and no
// more; [Conn.Call] sends any other command by name. Every call is
// bounded by a context, and a command the browser refuses comes back as
// an [*Error] naming the command.
//
// The protocol is the W3C's WebDriver BiDi: commands are JSON objects
// with an id, answered by a message carrying the same id; events arrive
// in between, unasked, once subscribed to with session.subscribe.
package bidi
