// Package joinphases is the phase tree of `kadm join`: each phase reads the
// typed Data and calls the domain packages that do the work.
package joinphases
