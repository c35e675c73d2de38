// Package phases holds what the init and join phase trees share; the trees
// themselves live in phases/init and phases/join.
package phases
