package generated

//go:generate go run ../gen -model ../model-export/artifacts/forest.json -reference ../model-export/artifacts/reference.json -out . -pkg generated
