package rehearse

import (
	"maps"
	"os/exec"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestShadowRollForward: DEPLOY.md's shadow block (the stream and the
// role's grant), then its roll-forward block, as written, three times:
// with SHADOW_STREAM_NAME set in the shell, the new version has it; with
// it unset, the next keeps it (README's old deploy commands dropped it:
// issue 30, finding 9); set empty, the last has none. The rest of the
// environment stays as deployed, and live follows each new version.
func TestShadowRollForward(t *testing.T) {
	r := start(t)
	r.deployCLI()
	deployed := r.environment("1")
	r.sh(blocks(t, "shadow"))
	var policy struct{ PolicyName string }
	r.json("iam get-role-policy --role-name ride-duration-prediction --policy-name ride-duration-prediction-shadow", &policy)

	withShadow := maps.Clone(deployed)
	withShadow["SHADOW_STREAM_NAME"] = "ride_prediction_shadow"
	for i, step := range []struct {
		name  string
		shell []string // what the shell sets
		want  map[string]string
	}{
		{"SHADOW_STREAM_NAME set", []string{"SHADOW_STREAM_NAME=ride_prediction_shadow"}, withShadow},
		{"SHADOW_STREAM_NAME unset", nil, withShadow},
		{"SHADOW_STREAM_NAME empty", []string{"SHADOW_STREAM_NAME="}, deployed},
	} {
		version := string(rune('2' + i))
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", blocks(t, "roll-forward"))
		cmd.Dir, cmd.Env = r.newBuild(version, ""), append(r.env, step.shell...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("roll-forward, %s: %v\n%s", step.name, err, out)
		}
		var alias struct{ FunctionVersion string }
		r.json("lambda get-alias --function-name ride-duration-prediction --name live", &alias)
		if alias.FunctionVersion != version {
			t.Errorf("roll-forward, %s: live is on version %s, want %s", step.name, alias.FunctionVersion, version)
		}
		if diff := cmp.Diff(step.want, r.environment(version)); diff != "" {
			t.Errorf("roll-forward, %s: version %s's environment (-want +got):\n%s", step.name, version, diff)
		}
	}
}
