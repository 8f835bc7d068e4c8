package main

import (
	"fmt"

	"github.com/nyc-taxi/ridepred/internal/localproc"
)

// cpuReport says where the CPU went: kinesalite, the emulators with the
// function, and this process (replay, event source mapping, collector).
func (s *Stack) cpuReport() string {
	emu := 0.0
	for _, e := range s.Emulators {
		emu += localproc.GroupCPU(e.Pid())
	}
	return fmt.Sprintf("kinesalite %.1fs + %.1fs, emulators and functions %.1fs, replay + esm + collector %.1fs",
		localproc.GroupCPU(s.Kinesis.Pid()), localproc.GroupCPU(s.Output.Pid()), emu, localproc.OwnCPU())
}
