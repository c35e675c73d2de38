// Package httplog owns kadm's log verbosity (-v and --vmodule). Its
// libraries never log above LibraryMax: client-go's request and response
// dumps (-v=6..10) print bodies, bootstrap-token Secrets among them, and
// their hexdumps. At -v=6 and above
// kadm logs each HTTP request itself instead: method, URL without its query,
// status and duration, never a header or a body.
package httplog
