//go:build !race

package openapi_test

// raceSlowdown stretches time bounds under the race detector.
const raceSlowdown = 1
