package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/nyc-taxi/ridepred/internal/command"
	"github.com/nyc-taxi/ridepred/localstack/proc"
	"github.com/nyc-taxi/ridepred/tools/internal/baseline"
)

// seedRunID is the original's run (its model sits at
// s3://mlflow-nyc-taxi-reg-exp/4/<run>/artifacts/model); the seed's MLflow
// copy goes to the same place in moto.
const seedRunID = "def558fd38f44d8e9c4fc632668d3a47"

// coldRows measures cold starts, as a process and under the Lambda
// emulator: Go against the Python baseline started as the original starts
// (mlflow.pyfunc.load_model from S3, here moto, with the venv's mlflow),
// and against the baseline that unpickles the seed from local disk with
// Debian's Python instead (the table's only Python row before mlflow could
// be installed here). It adds its rows and samples to r.
func coldRows(cfg config, in *inputs, dir string, r *Report) error {
	log.Print("cold start: the seed as an MLflow model in moto's S3")
	s3, mlflowEnv, err := seedInS3(cfg)
	if err != nil {
		return err
	}
	defer s3.Stop()
	b := baselines{mlflowEnv: mlflowEnv, diskEnv: []string{"RUN_ID=", "MODEL_PATH=" + cfg.model()}}
	if err := processRows(cfg, in, dir, b, r); err != nil {
		return err
	}
	return emulatorRows(cfg, in, b, r)
}

// baselines are the environments of the two ways the Python baseline
// starts: through MLflow from S3, and from local disk.
type baselines struct{ mlflowEnv, diskEnv []string }

// startRows are one way of starting measured for Go, for the baseline
// through MLflow and for the baseline from local disk: the medians, and
// the ratios.
func startRows(name, then string, goT, mlflowT, diskT []float64) []Row {
	return []Row{
		faster(name+" (median)", "ms", median(goT), median(mlflowT), spread(goT, mlflowT)+"; Python: mlflow.pyfunc.load_model from S3 (moto)"+then),
		faster("the same, Python unpickling from local disk", "ms", median(goT), median(diskT), "Debian's Python, no mlflow: "+spread(goT, diskT)),
	}
}

// processRows times each process from its start to its exit after one
// prediction.
func processRows(cfg config, in *inputs, dir string, b baselines, r *Report) error {
	log.Print("cold start: process start to first prediction")
	predictBin := filepath.Join(dir, "predict")
	if err := goBuild(predictBin, "./tools/model/predict"); err != nil {
		return err
	}
	goCold, goRSS, err := coldRuns(cfg.coldRuns, in.rideLine, nil, predictBin)
	if err != nil {
		return err
	}
	pyCold, pyRSS, err := coldRuns(cfg.pyRuns, nil, b.mlflowEnv, cfg.mlflowPy, baseline.Script, "cold", in.rideFile)
	if err != nil {
		return err
	}
	diskCold, diskRSS, err := coldRuns(cfg.pyRuns, nil, b.diskEnv, cfg.py, baseline.Script, "cold", in.rideFile)
	if err != nil {
		return err
	}
	floor := execFloor(cfg.coldRuns)
	r.Samples["process, Go tools/model/predict"], r.Samples["process, Python baseline"] = goCold, pyCold
	r.Samples["process, Python baseline from local disk"] = diskCold
	r.Samples["process, /bin/true (floor)"] = floor
	r.add(coldGroup, startRows("cold start to first prediction", "", goCold, pyCold, diskCold)...)
	r.add(coldGroup,
		Row{Name: "starting /bin/true (this machine's floor)", Unit: "ms", Go: median(floor), Note: "what any process pays here before its first instruction"},
		faster("peak RSS, one prediction", "MiB", goRSS, pyRSS, fmt.Sprintf("one run under /usr/bin/time; Python from local disk %.0f MiB", diskRSS)),
	)
	return nil
}

// emulatorRows times the emulator with each function from its start to
// the first invoke's answer.
func emulatorRows(cfg config, in *inputs, b baselines, r *Report) error {
	log.Print("cold start under the Lambda Runtime Interface Emulator")
	env := []string{"TEST_RUN=True", "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x"}
	goEmu, goListen, goFnRSS, err := emulatorRuns(cfg.coldRuns, cfg.rie, []string{filepath.Join(cfg.build, "bootstrap")}, env, in.rideLine)
	if err != nil {
		return err
	}
	runtime := "model-export/baseline/runtime.py"
	pyEmu, _, pyFnRSS, err := emulatorRuns(cfg.pyRuns, cfg.rie, []string{cfg.mlflowPy, runtime}, append(env, b.mlflowEnv...), in.event[:0:0])
	if err != nil {
		return err
	}
	diskEmu, _, _, err := emulatorRuns(cfg.pyRuns, cfg.rie, []string{cfg.py, runtime}, append(env, b.diskEnv...), in.event[:0:0])
	if err != nil {
		return err
	}
	r.Samples["emulator, Go bootstrap"], r.Samples["emulator, Python baseline"] = goEmu, pyEmu
	r.Samples["emulator, Python baseline from local disk"] = diskEmu
	r.add(coldGroup, startRows("emulator start to first invoke response", ", then a 1-record Kinesis event", goEmu, pyEmu, diskEmu)...)
	r.add(coldGroup,
		Row{Name: "of which the emulator's own start (median)", Unit: "ms", Go: median(goListen), Note: "process start until it accepts connections"},
		faster("function peak RSS under the emulator", "MiB", goFnRSS, pyFnRSS, "VmHWM of the function process after its first invoke"))
	return nil
}

// seedInS3 starts moto with the original's bucket and puts the seed there
// as the original's MLflow model (model-export/baseline/seed_mlflow.py,
// run by cfg.mlflowPy: trained once into build/model/mlflow-seed), and
// returns moto and the environment under which lambda_function.py loads it
// from there. The caller stops moto.
func seedInS3(cfg config) (*proc.S3, []string, error) {
	if err := proc.HasModules(cfg.mlflowPy, "mlflow", "moto"); err != nil {
		return nil, nil, err
	}
	s3, err := proc.StartS3(cfg.mlflowPy, "mlflow-nyc-taxi-reg-exp", io.Discard)
	if err != nil {
		return nil, nil, err
	}
	env := append(s3.Env(), "RUN_ID="+seedRunID, "MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true", "MLFLOW_DISABLE_TELEMETRY=true")
	err = command.Run(env, cfg.mlflowPy, "model-export/baseline/seed_mlflow.py", "--train", filepath.Join(cfg.build, "model", "2022-01.csv"),
		"--dir", filepath.Join(cfg.build, "model", "mlflow-seed"), "--uri", fmt.Sprintf("s3://%s/4/%s/artifacts/model", s3.Bucket, seedRunID))
	if err != nil {
		s3.Stop()
		return nil, nil, err
	}
	return s3, env, nil
}

// coldRuns starts the command argv n times with stdin and env added, and returns each run's
// wall time in ms, and the peak RSS in MiB of one more run. The n runs are
// timed here rather than under /usr/bin/time (command.Time), whose own
// start would add about a millisecond to a figure of a few.
func coldRuns(n int, stdin []byte, env []string, argv ...string) ([]float64, float64, error) {
	var times []float64
	for range n {
		cmd := command.New(env, argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = nil, nil
		cmd.Stdin = bytes.NewReader(stdin)
		start := time.Now()
		out, err := cmd.Output()
		elapsed := time.Since(start)
		if err != nil || !bytes.Contains(out, []byte("prediction")) {
			return nil, 0, fmt.Errorf("%s: %v: %s", argv[0], err, out)
		}
		times = append(times, ms(elapsed))
	}
	cmd := command.New(env, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = nil, nil
	cmd.Stdin = bytes.NewReader(stdin)
	t, err := command.Time(cmd)
	if err != nil {
		return nil, 0, err
	}
	return times, t.PeakMiB, nil
}

// execFloor is how long starting and reaping a trivial process takes here.
func execFloor(n int) []float64 {
	var times []float64
	for range n {
		start := time.Now()
		if exec.Command("/bin/true").Run() == nil {
			times = append(times, ms(time.Since(start)))
		}
	}
	return times
}

// emulatorRuns starts the emulator with the function n times and times each
// start until the first successful invoke response. A nil payload sends the
// original's direct ride event; an empty one a 1-record Kinesis event.
func emulatorRuns(n int, rie string, bootstrap, env []string, payload []byte) (times, listen []float64, rss float64, err error) {
	if len(payload) == 0 {
		payload = []byte(`{"Records": [{"kinesis": {"partitionKey": "1", "sequenceNumber": "1", "data": "` +
			"eyJyaWRlIjogeyJQVUxvY2F0aW9uSUQiOiAxMzAsICJET0xvY2F0aW9uSUQiOiAyMDUsICJ0cmlwX2Rpc3RhbmNlIjogMy42Nn0sICJyaWRlX2lkIjogMTIzfQ==" +
			`"}}]}`)
	}
	for range n {
		var logs bytes.Buffer
		start := time.Now()
		e, err := proc.StartEmulator(rie, bootstrap, append([]string{"MODEL_PATH=build/model/model.pkl"}, env...), &logs)
		if err != nil {
			return nil, nil, 0, err
		}
		listen = append(listen, ms(time.Since(start)))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		status, body, err := e.Invoke(ctx, payload)
		elapsed := time.Since(start)
		cancel()
		rss = max(rss, e.FunctionPeakRSS())
		e.Stop()
		// Any model's answer will do: this times the start, and the Python
		// baseline serves the seed pickle whatever generated/ holds.
		if err != nil || status != 200 || !bytes.Contains(body, []byte("prediction")) && !bytes.Contains(body, []byte("ride_duration")) {
			return nil, nil, 0, fmt.Errorf("emulator with %v: %d %s %v\n%s", bootstrap, status, body, err, logs.String())
		}
		times = append(times, ms(elapsed))
	}
	return times, listen, rss, nil
}
