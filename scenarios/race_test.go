//go:build race

package scenarios

// raceSlowdown stretches time bounds under the race detector, which slows
// loading several times over; the bounds still catch a hang or a blow-up.
const raceSlowdown = 6
