// Gen compiles a tree-ensemble regressor, exported as forest JSON
// (model-export/FORMAT.md) from scikit-learn (its forests, GradientBoosting
// and HistGradientBoosting) or xgboost (gbtree), into a Go package: each tree
// becomes nested if-statements, so nothing is loaded at run time, and every
// prediction equals the library's answer bit for bit. LightGBM is not read:
// it cannot be installed where this project is tested, so its answers could
// not be checked.
//
// Usage:
//
//	go run ./gen -model FOREST.json [-reference REFERENCE.json] -out DIR -pkg NAME
//
// or, in the package to generate:
//
//	//go:generate go run ../gen -model ../model-export/artifacts/forest.json -reference ../model-export/artifacts/reference.json -out . -pkg generated
//
// The flags are:
//
//	-model FILE
//		the forest JSON to compile (required).
//	-reference FILE
//		the model's reference (model-export/reference.py writes it): the
//		distribution of its predictions on the committed Feb 2022 rides,
//		compiled in as Reference for the function's PredictionDrift. It
//		must name the forest's sha256. Without it, Reference is nil.
//	-out DIR
//		the directory to write the package to (required); created if
//		missing. It must be inside a Go module: the tree packages are
//		imported by their path in it.
//	-pkg NAME
//		the package name (required).
//	-optional
//		the model may be absent: if the -model file does not exist, gen
//		writes the package as one file, none.go, that holds no model
//		(Shipped = false, and the names a caller uses: Features, Validate,
//		PredictBatch, RunID, ModelSHA256), and removes what it wrote
//		before; with a model, model.go declares Shipped = true. The
//		shadow model's package, generated/shadow, is generated so:
//
//		//go:generate go run ../../gen -optional -model ../../model-export/shadow/forest.json -reference ../../model-export/shadow/reference.json -golden ../../model-export/shadow/golden -out . -pkg shadow
//	-golden DIR
//		also write golden_test.go: the package against the library's
//		golden answers in DIR (golden.py's rides.jsonl.gz and
//		edges.jsonl.gz) bit for bit, its constants against the forest
//		JSON, and its Reference against the -reference file. DIR is
//		relative to -out, as the tests run there.
//	-check
//		write nothing; list the files that differ from what gen would
//		write and exit 1 if any does (make check-generated).
//	-func-nodes N, -func-depth N, -file-nodes N, -package-nodes N
//		the limits of one function (nodes, nested if-statements), one
//		file and one package; the defaults suit any forest (see Layout).
//
// # Layout
//
// Gen writes into DIR:
//
//   - model.go: the model's constants, Features, FeaturesFromMap and
//     Validate, then how the trees' outputs combine (acc, start, finish)
//     and how a ride becomes the codes the trees test (encode, sortKey).
//   - predict.go and support.go: Predict, PredictBatch and the helpers,
//     the same for every model, copied from gen's predict.go.txt and
//     support.go.txt.
//   - tables.go: the cuts and category codes that encode uses, and the list
//     of the trees' root functions.
//   - features.go: Fields and Prepare, the model's own prepare_features
//     compiled from forest JSON's feature program (each Python line as a
//     comment above its Go, calling handler/pyval's forms), then its
//     DictVectorizer and Validate (FORMAT.md, "Feature program"); a format
//     version 1 or 2 file has the seed's (DefaultProgram).
//   - reference.go: Reference, the model's reference distribution (or nil),
//     of the type Distribution that distribution.go (copied from
//     distribution.go.txt) declares with its Shift.
//   - the tree packages internal/treesNNN.
//
// Every piece is bounded, whatever the size of the model, so that compile
// time and memory grow linearly with the node count and go build compiles
// (and caches) the tree packages in parallel:
//
//   - A tree is one function, TreeI, unless it is larger than -func-nodes or
//     nests deeper than -func-depth. Then its largest (or deepest) subtrees
//     are cut out, bottom-up, into functions TreeINodeN, named after the
//     node's index N in the forest JSON, and called where they were.
//   - Functions fill files of at most -file-nodes nodes, trees_NNN.go, and
//     whole trees fill packages of at most -package-nodes nodes, in
//     estimator order. A tree larger than a package spreads over several,
//     callees first, so that a package only imports earlier ones.
//
// Gen reads the forest JSON twice, as a stream, tree by tree: once to
// validate it and collect the thresholds and categories the splits test,
// once to lay out and render the trees. A file is rendered as soon as
// nothing more goes into it, so gen's memory holds the trees and files in
// flight, not the model: 70-99 MB from 0.2 to 5.5 M nodes in make
// bench-scale (BENCHMARKS.md).
//
// To find tree 57's code for a ride: the trees table in tables.go names
// tree 57's root function and its package (trees003.Tree57, say); grep for
// "func Tree57" in that package, and follow the calls.
//
// Gen rewrites a file only when its bytes change and removes the files it
// wrote before that the model no longer needs. The same input gives the
// same bytes. The first line of each file, "// Code generated by gen from
// FOREST; DO NOT EDIT.", names the forest by its path relative to DIR, so the
// output does not depend on the working directory.
//
// # Exactness
//
// Forest JSON's "prediction" object (Rule) says how the library predicts,
// and gen follows it. sklearn casts every input to float32 and goes left
// when float64(x32) <= threshold; xgboost casts to float32 and goes left
// when x32 < threshold; HistGradientBoosting compares the float64 itself.
// Gen turns each threshold into a cut of the input type that splits every
// input the same way (rounded down to float32 for <=, up for <), sorts the
// distinct cuts, and encodes each numeric input once per ride as its rank
// among them; each split is then an integer comparison with a constant. A
// missing value (NaN, or for xgboost a number the vectorizer leaves out)
// has rank -1 and takes the split's default direction. A categorical split
// becomes an equality test on the category's code (0 for categories no
// split tests), its direction resolved at generation time: one-hot 1 for
// the category, 0 or missing for any other. Tree outputs are added in tree
// order to the model's start value (0, GradientBoosting's init constant,
// HistGradientBoosting's baseline, xgboost's base_score) in the
// accumulator's type (float32 for xgboost), then finished: divided once by
// the tree count for a forest's mean (acc, start and finish in model.go).
// GradientBoosting's learning_rate * leaf is multiplied by gen and emitted
// as an exact literal, so the generated code multiplies nothing at run
// time and no compiler can fuse a multiply-add.
package main

import (
	"flag"
	"fmt"
	"go/token"
	"log"
	"os"
	"path/filepath"
)

func usage() {
	fmt.Fprintf(os.Stderr, "usage: gen -model FOREST.json [-reference REFERENCE.json] [-optional] [-golden DIR] -out DIR -pkg NAME [-check] [limits]\n")
	flag.PrintDefaults()
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	model := flag.String("model", "", "forest JSON to compile")
	reference := flag.String("reference", "", "the model's reference distribution (reference.json), for PredictionDrift")
	out := flag.String("out", "", "directory to write the package to")
	pkg := flag.String("pkg", "", "package name")
	optional := flag.Bool("optional", false, "the model may be absent: then write a package without one (Shipped = false)")
	goldenDir := flag.String("golden", "", "the model's golden answers, relative to -out: write golden_test.go against them")
	check := flag.Bool("check", false, "write nothing; exit 1 if DIR differs from what gen would write")
	lim := DefaultLimits
	flag.IntVar(&lim.FuncNodes, "func-nodes", lim.FuncNodes, "nodes in one function")
	flag.IntVar(&lim.FuncDepth, "func-depth", lim.FuncDepth, "if-statements nested in one function")
	flag.IntVar(&lim.FileNodes, "file-nodes", lim.FileNodes, "nodes in one file")
	flag.IntVar(&lim.PackageNodes, "package-nodes", lim.PackageNodes, "nodes in one package")
	flag.Usage = usage
	flag.Parse()
	if *model == "" || *out == "" || *pkg == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := lim.check(); err != nil {
		log.Print(err)
		os.Exit(2)
	}
	if !token.IsIdentifier(*pkg) {
		log.Printf("-pkg %q is not a Go package name (an identifier, not a keyword)", *pkg)
		os.Exit(2)
	}
	importPath, err := importPath(*out)
	if err != nil {
		log.Fatal(err)
	}
	cfg := Config{Package: *pkg, ImportPath: importPath, Limits: lim, Optional: *optional, Golden: filepath.ToSlash(*goldenDir)}
	// Each file is written (or, with -check, compared) as soon as it is
	// rendered; Close then removes what gen wrote before and no longer does.
	o := &Output{Dir: *out, Check: *check}
	if err := generateFile(*model, *reference, *out, cfg, o.Put); err != nil {
		log.Fatal(err)
	}
	if err := o.Close(); err != nil {
		log.Fatal(err)
	}
}
