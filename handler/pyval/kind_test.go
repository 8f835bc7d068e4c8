package pyval

import "testing"

// TestKindString: the kind names that errors show (JSONKind), one per kind.
func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{
		kString: "string", kNumber: "number", kTrue: "boolean", kFalse: "boolean", kNull: "null",
		kNaN: "NaN", kInf: "Infinity", kNegInf: "-Infinity", kArray: "array", kObject: "object",
		kText: "str", kInt: "int", 0: "absent",
	} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%q).String() = %q, want %q", byte(k), got, want)
		}
	}
}
