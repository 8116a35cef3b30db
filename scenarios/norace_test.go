//go:build !race

package scenarios

// raceSlowdown stretches time bounds under the race detector.
const raceSlowdown = 1
