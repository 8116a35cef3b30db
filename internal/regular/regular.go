// Package regular reads the files a project is made of (fixtures, bodies,
// items, scenarios, the state file) so that none can hang or exhaust
// Decoy: only regular files are opened, never a FIFO, a device or a socket
// (opening a FIFO that has no writer blocks for ever, and reading a device
// may never end), and each is read only up to a size bound.
package regular

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// DefaultMax is the size bound a zero limit stands for: 256 MiB, as for
// specs.
const DefaultMax = 256 << 20

// Check returns an error unless name in fsys is a regular file (after
// symbolic links): "is a folder, not a file", or "not a regular file (a
// named pipe)" and the like. It only stats, so it never blocks on a FIFO.
func Check(fsys fs.FS, name string) error {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return err
	}
	return mode(info)
}

func mode(info fs.FileInfo) error {
	m := info.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return fmt.Errorf("is a folder, not a file")
	}
	return fmt.Errorf("not a regular file (%s); only regular files are read", kind(m))
}

// kind names a file type a user may not expect to see.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "mode " + m.String()
}

// ReadFile reads name from fsys when it is a regular file of at most max
// bytes (max 0 means DefaultMax). flag names the option that raises the
// bound, for the error: "larger than the limit of 256 MiB (raise it with
// --max-file-size)". A file that is not regular is refused before it is
// opened, and checked again once open, in case it was replaced between.
func ReadFile(fsys fs.FS, name string, max int64, flag string) ([]byte, error) {
	if err := Check(fsys, name); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f, max, flag)
}

// ReadPath is ReadFile for a path of the operating system. There the open
// itself does not block (O_NONBLOCK), so a FIFO put in place between the
// check and the open is refused too.
func ReadPath(path string, max int64, flag string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := mode(info); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f, max, flag)
}

func read(f fs.File, max int64, flag string) ([]byte, error) {
	if max <= 0 {
		max = DefaultMax
	}
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := mode(info); err != nil {
		return nil, err
	}
	if info.Size() > max {
		return nil, TooLarge(max, flag)
	}
	var buf bytes.Buffer
	if size := info.Size(); size > 0 {
		buf.Grow(int(size) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > max {
		return nil, TooLarge(max, flag) // it grew while being read
	}
	return buf.Bytes(), nil
}

// TooLarge is the error for a file over the bound max that flag raises.
func TooLarge(max int64, flag string) error {
	return fmt.Errorf("larger than the limit of %s (raise it with %s)", Size(max), flag)
}

// Size writes a size in the largest unit that divides it.
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
