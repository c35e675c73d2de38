// Package atomicfile writes files so that a crash leaves either the old file
// or the new one, never a torn one (DESIGN.md §7).
package atomicfile
