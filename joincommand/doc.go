// Package joincommand renders the `kadm join` command lines that init and
// `token create --print-join-command` print for workers and control planes.
package joincommand
