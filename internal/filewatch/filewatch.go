// Package filewatch tells a waiting caller, within moments, that files in
// some directories were written, moved or removed (inotify), so that a wait
// for a file need not poll on a fixed tick; where notifications are not to
// be had, Watch says so and the caller polls.
package filewatch

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// events are what counts as a change of a directory's files: a file closed
// after writing, moved in or out, created, removed, or changed mode (a
// symbolic link retargeted by a rename counts as a move).
const events = unix.IN_CLOSE_WRITE | unix.IN_MOVED_TO | unix.IN_MOVED_FROM | unix.IN_CREATE | unix.IN_DELETE | unix.IN_ATTRIB

// Watch watches dirs until ctx ends and returns a channel that receives a
// value after changes in any of them; changes that come while an earlier one
// is unread fold into it. Directories that do not exist are skipped; with
// none left, or without inotify, Watch returns an error and no channel.
func Watch(ctx context.Context, dirs ...string) (<-chan struct{}, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	f := os.NewFile(uintptr(fd), "inotify")
	watched := 0
	for _, d := range dirs {
		if _, err := unix.InotifyAddWatch(fd, d, events); err == nil {
			watched++
		}
	}
	if watched == 0 {
		f.Close()
		return nil, errors.New("inotify: none of the directories can be watched")
	}
	changed := make(chan struct{}, 1)
	go func() {
		<-ctx.Done()
		// Closing the file ends the pending Read below.
		f.Close()
	}()
	go func() {
		buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
		for {
			if _, err := f.Read(buf); err != nil {
				return
			}
			select {
			case changed <- struct{}{}:
			default:
			}
		}
	}()
	return changed, nil
}
