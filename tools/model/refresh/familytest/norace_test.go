//go:build !race

package familytest

const raceEnabled = false
