//go:build race

package familytest

const raceEnabled = true
