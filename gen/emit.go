package main

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dave/jennifer/jen"
	"golang.org/x/sync/errgroup"
)

// File is one generated Go source file.
type File struct {
	Name string
	Data []byte
}

// Config is what the emitter needs besides the plan.
type Config struct {
	Package    string // the package name
	ImportPath string // the package's import path, for its tree packages
	Limits     Limits
	// Optional says the package may hold no model (EmitNone): model.go
	// then declares Shipped = true, so that code which imports the
	// package compiles with either and can tell which it got.
	Optional bool
	// Golden, if set, is the directory of the model's golden answers
	// (golden.py's rides.jsonl.gz and edges.jsonl.gz) relative to the
	// package: gen then writes golden_test.go, which checks the package
	// against them bit for bit and its constants against the forest JSON.
	Golden string
}

// templates are the generated package's model-independent files, which
// gen copies with their package clause renamed: support.go (FeaturesFromMap's
// helpers), predict.go (Predict, PredictBatch) and distribution.go
// (Distribution, the type of the model's Reference, and its Shift). They are plain Go, kept as
// .go.txt only because in gen/ they would be package main and lack the
// model's names (Features, encode, trees, ...). The compiler and go vet
// check them where they belong, in each generated package: generated/ (in
// go vet ./..., and make check-generated keeps it current) and the packages
// TestRandomForests builds.
//
//go:embed *.go.txt
var templates embed.FS

// Emit renders the plan as Go files and hands each to out as soon as it is
// ready, so that a huge model's source is never held whole: model.go (the
// API and what varies with the model around it), reference.go (the model's
// reference distribution), tables.go (cuts, category codes and the list of
// trees), the templates (support.go, predict.go, distribution.go), and
// the tree packages internal/treesNNN/ (codes.go and trees_NNN.go), named
// by their path in the output directory. Files are rendered in parallel,
// one per CPU; out is called by one goroutine at a time, in no set order.
func Emit(p *Plan, cfg Config, out func(File) error) error {
	layout := NewLayout(cfg.Limits)
	e := emitter{p: p, cfg: cfg, layout: layout, banner: generatedLine(p.Source, "")}
	if err := e.copyTemplates(out); err != nil {
		return err
	}
	if cfg.Golden != "" {
		if err := e.goldenTest(out); err != nil {
			return err
		}
	}
	// The trees stream in; each file is rendered as soon as the layout
	// closes it, so that only the files in flight are in memory.
	return parallel(func(submit func(job) error) error {
		if err := submit(func() (File, error) { return render("model.go", e.model()) }); err != nil {
			return err
		}
		if err := submit(func() (File, error) { return render("reference.go", e.reference()) }); err != nil {
			return err
		}
		if err := submit(func() (File, error) { return render("features.go", e.featuresFile()) }); err != nil {
			return err
		}
		files := func(closed []TreeFile) error {
			for _, f := range closed {
				name := fmt.Sprintf("internal/%s/trees_%03d.go", f.Package.Name(), f.Index)
				if err := submit(func() (File, error) { return render(name, e.treeFile(f)) }); err != nil {
					return err
				}
			}
			return nil
		}
		for root, err := range p.Trees {
			if err != nil {
				return err
			}
			known := len(layout.Packages)
			closed := layout.Add(root)
			for _, pkg := range layout.Packages[known:] {
				name := pkg.Name()
				if err := submit(func() (File, error) { return render("internal/"+name+"/codes.go", e.codes(name)) }); err != nil {
					return err
				}
			}
			if err := files(closed); err != nil {
				return err
			}
		}
		if err := files(layout.Close()); err != nil {
			return err
		}
		// The list of trees names each root's package: last.
		return submit(func() (File, error) { return render("tables.go", e.tables()) })
	}, out)
}

// copyTemplates hands out each template, under the banner and in the
// package, as its name without .txt.
func (e *emitter) copyTemplates(out func(File) error) error {
	names, err := fs.Glob(templates, "*.go.txt")
	if err != nil {
		return err
	}
	for _, name := range names {
		text, err := templates.ReadFile(name)
		if err != nil {
			return err
		}
		name = strings.TrimSuffix(name, ".txt")
		src := e.banner + "\n\n" + strings.Replace(string(text), "package PACKAGE", "package "+e.cfg.Package, 1)
		data, err := format.Source([]byte(src))
		if err != nil {
			return fmt.Errorf("format %s: %w", name, err)
		}
		if err := out(File{Name: name, Data: data}); err != nil {
			return err
		}
	}
	return nil
}

// render formats one jennifer file.
func render(name string, f *jen.File) (File, error) {
	var b bytes.Buffer
	if err := f.Render(&b); err != nil {
		return File{}, fmt.Errorf("render %s: %w", name, err)
	}
	return File{Name: name, Data: b.Bytes()}, nil
}

// job renders one file.
type job func() (File, error)

// errStopped ends a producer early: whoever takes what it produces has
// stopped (parallel after an error, or a loop over Plan.Trees that returned).
var errStopped = errors.New("stopped")

// parallel runs the jobs that produce submits, at most one per CPU at a
// time, and hands each result to out. submit blocks while every slot is
// taken (errgroup's SetLimit), so that only the files in flight are in
// memory. out is called by one job at a time, under a mutex, in no set
// order. After the first error no job starts and no file goes to out:
// submit returns errStopped, and parallel returns the first error (and the
// producer's own, if it failed otherwise).
func parallel(produce func(submit func(job) error) error, out func(File) error) error {
	var (
		g      errgroup.Group
		mu     sync.Mutex  // one call of out at a time
		failed atomic.Bool // set, under mu, by the first error
	)
	g.SetLimit(runtime.GOMAXPROCS(0))
	run := func(j job) error {
		if failed.Load() {
			return nil // started after an error: the error is reported already
		}
		f, err := j()
		mu.Lock()
		defer mu.Unlock()
		if err == nil && !failed.Load() {
			err = out(f)
		}
		if err != nil {
			failed.Store(true)
		}
		return err
	}
	produced := produce(func(j job) error {
		if failed.Load() {
			return errStopped
		}
		g.Go(func() error { return run(j) })
		return nil
	})
	err := g.Wait()
	if produced != nil && produced != errStopped {
		err = errors.Join(err, produced)
	}
	return err
}

type emitter struct {
	p      *Plan
	cfg    Config
	layout *Layout
	banner string // the first line of every file: generatedLine
}

func (e *emitter) file(path, pkg string) *jen.File {
	f := jen.NewFilePathName(path, pkg)
	f.HeaderComment(strings.TrimPrefix(e.banner, "// "))
	return f
}

// treePath is the import path of a tree package.
func (e *emitter) treePath(pkg int) string {
	return e.cfg.ImportPath + "/internal/" + packageName(pkg)
}

// codes emits a tree package's doc and its Codes type.
func (e *emitter) codes(pkg string) *jen.File {
	f := e.file(e.cfg.ImportPath+"/internal/"+pkg, pkg)
	f.PackageComment(fmt.Sprintf("Package %s holds trees of the %s package, as nested if-statements.", pkg, e.cfg.Package))
	f.PackageComment("Tree<i> is tree i's root; Tree<i>Node<n> is its subtree at node n of the forest JSON,")
	f.PackageComment("cut out to keep functions small.")
	f.Comment("Codes is a ride's inputs as the trees test them: a category's code, a number's rank.")
	f.Type().Id("Codes").Op("=").Add(e.codesStruct())
	return f
}

// treeFile emits one file of tree functions.
func (e *emitter) treeFile(tf TreeFile) *jen.File {
	pkg := tf.Package.Name()
	f := e.file(e.cfg.ImportPath+"/internal/"+pkg, pkg)
	for _, fn := range tf.Funcs {
		f.Add(e.function(fn))
		f.Line()
	}
	return f
}

// function emits
//
//	// Tree3Node17 is tree 3 from node 17.
//	func Tree3Node17(c Codes) float64 {
//		if c.TripDistance <= 117 { ... } else { ... }
//	}
func (e *emitter) function(fn *Func) jen.Code {
	doc := fmt.Sprintf("%s is tree %d.", fn.Name(), fn.Tree)
	if fn.Root.ID != 0 {
		doc = fmt.Sprintf("%s is tree %d from node %d.", fn.Name(), fn.Tree, fn.Root.ID)
	}
	return jen.Comment(doc).Line().Func().Id(fn.Name()).Params(jen.Id("c").Id("Codes")).Id(e.p.Rule.Accumulator).BlockFunc(func(g *jen.Group) {
		e.node(g, fn, fn.Root)
	})
}

// node emits a leaf as `return value`, a subtree cut into its own function
// as `return TreeINodeN(c)`, and a split as `if cond { hot } else { cold }`,
// the branch more training samples took first.
func (e *emitter) node(g *jen.Group, fn *Func, n *Node) {
	if n.Func != nil && n != fn.Root {
		g.Return(jen.Qual(e.treePath(n.Func.Package), n.Func.Name()).Call(jen.Id("c")))
		return
	}
	if n.Left == nil {
		g.Return(jen.Lit(n.Value))
		return
	}
	cond, meaning := e.split(n)
	first, second := n.Left, n.Right
	if n.HotRight {
		first, second = n.Right, n.Left
	}
	g.Comment(meaning)
	g.If(cond).
		BlockFunc(func(g *jen.Group) { e.node(g, fn, first) }).
		Else().
		BlockFunc(func(g *jen.Group) { e.node(g, fn, second) })
}

// split is the condition on codes that takes a split's first branch (the
// right one when n.HotRight), and a comment saying what it means:
//
//	// trip_distance <= 3.025
//	c.TripDistance <= 505
//	// trip_distance < 3.0250001 (missing: right)
//	0 <= c.TripDistance && c.TripDistance <= 505
//	// PU_DO != "75_74"
//	c.PUDO != 251
//
// A missing number's code is -1, below every cut: `code <= k` sends it
// left, so a split whose missing values go right also tests `0 <= code`.
func (e *emitter) split(n *Node) (jen.Code, string) {
	in, r := e.p.Inputs[n.Input], e.p.Rule
	code := func() *jen.Statement { return jen.Id("c").Dot(in.Field) }
	k := jen.Lit(int(n.Code))
	if in.Categorical {
		op := map[bool]string{true: "==", false: "!="}[n.MatchLeft != n.HotRight]
		return code().Op(op).Add(k), fmt.Sprintf("%s %s %q", in.Key, op, in.Categories[n.Code-1])
	}
	// The threshold as the shortest text that reads back as it, in the
	// type it is compared in: float64 for sklearn (float64(x32) <= t),
	// float32 for xgboost (x32 < t32, where 3.0250001 is the float32 3.025).
	bits := 64
	if r.Input == "float32" && r.Compare == "<" && float64(float32(n.Threshold)) == n.Threshold {
		bits = 32
	}
	op, flipped := r.Compare, map[string]string{"<=": ">", "<": ">="}[r.Compare]
	missing := ""
	if in.Missing {
		what := map[bool]string{true: "missing or zero", false: "missing"}[in.ZeroMissing]
		missing = fmt.Sprintf(" (%s: %s)", what, map[bool]string{true: "left", false: "right"}[n.DefaultLeft])
	}
	var cond *jen.Statement
	switch {
	case !n.HotRight && (!in.Missing || n.DefaultLeft):
		cond = code().Op("<=").Add(k)
	case !n.HotRight:
		cond = jen.Lit(0).Op("<=").Add(code()).Op("&&").Add(code()).Op("<=").Add(k)
	case !in.Missing || n.DefaultLeft:
		cond, op = code().Op(">").Add(k), flipped
	default:
		cond, op = code().Op(">").Add(k).Op("||").Add(code()).Op("<").Lit(0), flipped
	}
	return cond, fmt.Sprintf("%s %s %s%s", in.Key, op, strconv.FormatFloat(n.Threshold, 'g', -1, bits), missing)
}
