// Package proc reads the limits and usage of the generator's own process
// that the harness reports: the open-files limit (FDLimit, in summary.json
// and in the notes about exhausted descriptors) and the peak resident
// memory (PeakRSS). It is a package of its own because each figure needs
// a file per operating system, which would otherwise crowd the engine's
// folder.
package proc
