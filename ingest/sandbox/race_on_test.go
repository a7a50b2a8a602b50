//go:build race

package sandbox_test

// raceEnabled: under the race detector a child keeps shadow memory for what its heap held, which
// no return of free memory gives back.
const raceEnabled = true
