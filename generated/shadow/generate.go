package shadow

// The challenger: make shadow MODEL=PATH exports it to model-export/shadow/
// and compiles it here; without it (make shadow-off), gen writes a package
// that holds no model (Shipped = false).
//
//go:generate go run ../../gen -optional -model ../../model-export/shadow/forest.json -reference ../../model-export/shadow/reference.json -golden ../../model-export/shadow/golden -out . -pkg shadow
