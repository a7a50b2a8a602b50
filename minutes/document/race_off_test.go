//go:build !race

package document

// raceEnabled: the race detector makes a render ten times slower; sweeping tests take a sample.
const raceEnabled = false
