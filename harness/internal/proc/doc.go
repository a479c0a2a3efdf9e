// Package proc reads the facts of the generator's own process that the
// harness reports: the open-files limit (FDLimit, in summary.json and in
// the notes about exhausted descriptors), the peak resident memory
// (PeakRSS) and the build's version (Version). It is a package of its own
// because most figures need a file per operating system, which would
// otherwise crowd the engine's folder.
package proc
