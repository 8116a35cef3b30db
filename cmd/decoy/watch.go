package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// debounce is how long the watcher waits after the last change before it
// reloads: editors write a file in several steps (truncate, write, rename).
const debounce = 150 * time.Millisecond

// watch reloads the project whenever a file in its folders changes, until ctx
// is done; a reload under way when ctx ends is dropped. It watches folders rather than files so that editors which save by
// writing a new file and renaming it over the old one (vim, JetBrains) are
// seen. A reload that fails keeps the old state serving: it is logged and
// passed to failed (nil: not passed on), and watching goes on. So does a
// watcher error (an overflowed event queue): it is logged and
// answered with a reload, since changes may have been missed.
//
// Files Decoy writes itself (own) never reload: with the state file in a
// watched folder, every save would otherwise reload the project.
//
// ready is closed once the folders are watched (or watching failed), so
// that the caller serves no request before a change would be seen.
func watch(ctx context.Context, p *project, seed uint64, first *loaded, apply func(*loaded) error, own ownFiles, failed func(error), log *slog.Logger, ready chan<- struct{}) error {
	readyOnce := sync.OnceFunc(func() { close(ready) })
	defer readyOnce()
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	dirs := p.watched(first)
	watching := map[string]bool{}
	watchAll := func(want []string) {
		for _, d := range want {
			if !watching[d] {
				if err := w.Add(d); err != nil {
					log.Warn("cannot watch folder", "dir", d, "err", err)
					continue
				}
				watching[d] = true
			}
		}
		for d := range watching {
			if !slices.Contains(want, d) {
				_ = w.Remove(d)
				delete(watching, d)
			}
		}
	}
	watchAll(dirs)
	readyOnce()
	var timer <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("the file watcher stopped")
			}
			if relevant(ev.Name) && !own.has(ev.Name) {
				timer = time.After(debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("the file watcher stopped")
			}
			log.Warn("file watcher error; reloading in case a change was missed", "err", err)
			timer = time.After(debounce)
		case <-timer:
			timer = nil
			l, err := p.load(ctx, seed)
			if ctx.Err() != nil {
				return nil // stopped while loading: serve is shutting down
			}
			if err == nil {
				err = apply(l)
			}
			if err != nil {
				log.Error("reload failed; still serving the previous version", "err", err.Error())
				if failed != nil {
					failed(err)
				}
				continue
			}
			watchAll(p.watched(l))
			log.Info("reloaded", "spec", l.Spec.File, "operations", len(l.Spec.Operations))
		}
	}
}

// relevant says whether a changed file can affect what Decoy serves: spec,
// fixture and scenario files, and the bodies they refer to; not editor swap
// and backup files.
func relevant(name string) bool {
	base := filepath.Base(name)
	if strings.HasPrefix(base, ".") || strings.HasSuffix(base, "~") || strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".tmp") {
		return false
	}
	switch strings.ToLower(filepath.Ext(base)) {
	case ".yaml", ".yml", ".json", ".txt", ".xml", ".html", "":
		return true
	}
	return false
}

// ownFiles are the files Decoy writes while it serves (the state file, the
// report file), as absolute paths with their folder's symbolic links
// resolved. Writing one of them, or the files written beside it on the
// way (the temporary file renamed over it, a corrupt state file moved
// aside), is not an edit of the project.
type ownFiles []string

// add adds path; "" is ignored.
func (o *ownFiles) add(path string) {
	if path != "" {
		*o = append(*o, canonical(path))
	}
}

// has reports whether name is one of the files or written beside one:
// ".NAME.*" (fixtures.SaveStateFile's and writeFileAtomic's temporary
// files) or "NAME.corrupt-*" (fixtures.LoadStateFile's copies).
func (o ownFiles) has(name string) bool {
	if len(o) == 0 {
		return false
	}
	name = canonical(name)
	dir, base := filepath.Split(name)
	for _, f := range o {
		fdir, fbase := filepath.Split(f)
		if dir != fdir {
			continue
		}
		if base == fbase || strings.HasPrefix(base, "."+fbase+".") || strings.HasPrefix(base, fbase+".corrupt-") {
			return true
		}
	}
	return false
}

// canonical returns path absolute, with the symbolic links of its folder
// resolved (the file itself may not exist yet), so that one file has one
// name however it was given.
func canonical(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	dir, base := filepath.Split(abs)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		return filepath.Join(real, base)
	}
	return abs
}
