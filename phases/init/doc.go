// Package initphases is the phase tree of `kadm init`: each phase reads the
// typed Data and calls the domain packages that do the work.
package initphases
