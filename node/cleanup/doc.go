// Package cleanup removes what kadm wrote on a host, and only that: it checks
// every path it is given and never follows a symbolic link or crosses a mount.
package cleanup
