// Package resetphases is the phase tree of `kadm reset`: it undoes on this
// host what init or join did, removing only the paths kadm owns.
package resetphases
