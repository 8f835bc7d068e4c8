package shadow_test

// The challenger: make shadow MODEL=PATH exports it to model-export/shadow/
// and compiles it here; without it (make shadow-off), gen writes a package
// that holds no model (Shipped = false).
//
// The directive is in an external test file because go generate reads a
// package's files in order, its external test files last, and gen removes
// files when a shadow comes or goes: from an earlier file, go generate would
// then go on to open a file gen had just removed, and fail.
//
//go:generate go run ../../gen -optional -model ../../model-export/shadow/forest.json -reference ../../model-export/shadow/reference.json -golden ../../model-export/shadow/golden -out . -pkg shadow
