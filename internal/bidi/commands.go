package bidi

import (
	"context"
	"encoding/base64"
	"fmt"
)

// The commands the dashboard's tests use, typed. Anything else goes
// through [Conn.Call] by name.

// NewSession starts the session that every other command but
// session.status needs, with the given user prompt handler for the
// session ("ignore" leaves dialogs open for [Conn.HandleUserPrompt];
// "accept" and "dismiss" answer them at once). It returns an [*Error]
// when the browser has a session already.
func (c *Conn) NewSession(ctx context.Context, prompts string) error {
	params := map[string]any{"capabilities": map[string]any{
		"alwaysMatch": map[string]any{"unhandledPromptBehavior": map[string]string{"default": prompts}},
	}}
	return c.Call(ctx, "session.new", params, nil)
}

// Subscribe asks for events by name (such as "log.entryAdded") or by
// module ("browsingContext"), in every browsing context. They arrive on
// [Conn.Events]. It returns an [*Error] for a name the browser does not
// know.
func (c *Conn) Subscribe(ctx context.Context, events ...string) error {
	return c.Call(ctx, "session.subscribe", map[string]any{"events": events}, nil)
}

// TopContexts returns the ids of the top-level browsing contexts (the
// tabs), oldest first.
func (c *Conn) TopContexts(ctx context.Context) ([]string, error) {
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := c.Call(ctx, "browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		return nil, err
	}
	ids := make([]string, len(tree.Contexts))
	for i, t := range tree.Contexts {
		ids[i] = t.Context
	}
	return ids, nil
}

// Navigate loads url in the browsing context and waits until its
// document has loaded (readyState "complete"). It returns an [*Error]
// when the navigation fails, such as for a refused connection.
func (c *Conn) Navigate(ctx context.Context, context, url string) error {
	params := map[string]any{"context": context, "url": url, "wait": "complete"}
	return c.Call(ctx, "browsingContext.navigate", params, nil)
}

// SetViewport sizes the browsing context's viewport in CSS pixels, so
// that a page lays out at a known width whatever the window.
func (c *Conn) SetViewport(ctx context.Context, context string, width, height int) error {
	params := map[string]any{"context": context, "viewport": map[string]int{"width": width, "height": height}}
	return c.Call(ctx, "browsingContext.setViewport", params, nil)
}

// Screenshot returns a PNG of the browsing context: the viewport, or the
// whole document when whole is set.
func (c *Conn) Screenshot(ctx context.Context, context string, whole bool) ([]byte, error) {
	origin := "viewport"
	if whole {
		origin = "document"
	}
	var shot struct {
		Data string `json:"data"`
	}
	params := map[string]any{"context": context, "origin": origin}
	if err := c.Call(ctx, "browsingContext.captureScreenshot", params, &shot); err != nil {
		return nil, err
	}
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		return nil, fmt.Errorf("bidi: browsingContext.captureScreenshot: the image is not base64: %w", err)
	}
	return png, nil
}

// HandleUserPrompt answers the dialog open in the browsing context
// (alert, confirm, prompt): accept presses OK, else Cancel. It returns an
// [*Error] ("no such alert") when no dialog is open.
func (c *Conn) HandleUserPrompt(ctx context.Context, context string, accept bool) error {
	params := map[string]any{"context": context, "accept": accept}
	return c.Call(ctx, "browsingContext.handleUserPrompt", params, nil)
}

// CloseBrowser asks the browser to close every window and quit; the
// connection ends with it. [Browser.Close] calls it.
func (c *Conn) CloseBrowser(ctx context.Context) error {
	return c.Call(ctx, "browser.close", nil, nil)
}
