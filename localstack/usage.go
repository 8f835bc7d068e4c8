package localstack

import (
	"fmt"
	"time"

	"github.com/nyc-taxi/ridepred/localstack/emf"
	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// CPUReport says where the CPU went: kinesalite, the emulators with the
// function, and this process (replay, event source mapping, collector).
// Call it before Stop: it reads the live processes.
func (s *Stack) CPUReport() string {
	emu := 0.0
	for _, e := range s.Emulators {
		emu += proc.GroupCPU(e.Pid())
	}
	return fmt.Sprintf("kinesalite %.1fs + %.1fs, emulators and functions %.1fs, replay + esm + collector %.1fs",
		proc.GroupCPU(s.Kinesis.Pid()), proc.GroupCPU(s.Output.Pid()), emu, proc.OwnCPU())
}

// MetricsAfter is the function's metrics once they count the predictions
// the stream got (a function writes its EMF document after its records),
// or after two seconds.
func (s *Stack) MetricsAfter(predictions int) emf.Table {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if s.Metrics.Table().Sum("Predictions") >= float64(predictions) {
			break
		}
	}
	return s.Metrics.Table()
}
