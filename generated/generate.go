package generated

//go:generate go run ../gen -model ../model-export/artifacts/forest.json -out . -pkg generated
