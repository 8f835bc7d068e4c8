package main

import (
	"errors"
	"fmt"
	"slices"
)

// Limits bound every piece of generated code, so that the Go compiler's time
// and memory grow linearly with the model: no function, nesting, file or
// package grows with it. The defaults were measured with make bench-scale
// (BENCHMARKS.md).
type Limits struct {
	FuncNodes    int // nodes one function holds
	FuncDepth    int // if-statements nested in one function
	FileNodes    int // nodes one file holds
	PackageNodes int // nodes one package holds
}

// DefaultLimits keep the seed model's trees whole (one function each) and
// cut anything larger.
var DefaultLimits = Limits{FuncNodes: 4096, FuncDepth: 48, FileNodes: 20_000, PackageNodes: 100_000}

// check says whether the limits can hold a model: each is at least what
// the one below it holds.
func (l Limits) check() error {
	if l.FuncNodes < 3 || l.FuncDepth < 1 || l.FileNodes < l.FuncNodes || l.PackageNodes < l.FileNodes {
		return errors.New("limits: want func-nodes >= 3, func-depth >= 1, file-nodes >= func-nodes, package-nodes >= file-nodes")
	}
	return nil
}

// Func is one generated function: a tree's root or a subtree cut from its
// parent, which calls it where the subtree was.
type Func struct {
	Tree    int
	Root    *Node
	Nodes   int // nodes written in this function's body
	Package int // index into Layout.Packages
}

// Name is Tree57 for tree 57's root and Tree57Node1234 for its subtree at
// sklearn's node 1234, so that a name leads back to the forest JSON.
func (f *Func) Name() string {
	if f.Root.ID == 0 {
		return fmt.Sprintf("Tree%d", f.Tree)
	}
	return fmt.Sprintf("Tree%dNode%d", f.Tree, f.Root.ID)
}

// Package is one generated tree package: its files, trees_000.go on, of
// which only the last is open to more functions.
type Package struct {
	Index     int
	Files     int     // files started
	open      []*Func // the last file's functions, while it is open
	openNodes int
}

// Name is the package's name, trees000 on.
func (p *Package) Name() string { return packageName(p.Index) }

func packageName(i int) string { return fmt.Sprintf("trees%03d", i) }

// TreeFile is a file that takes no more functions: its package, its index
// there, and its functions in order.
type TreeFile struct {
	Package *Package
	Index   int
	Funcs   []*Func
}

// Root is a tree's root function.
type Root struct {
	Name    string
	Package int
}

// Layout places every function in a package and a file, tree by tree as
// the trees stream in, in estimator order. A tree that fits in a package
// stays in one; a larger one spreads over several, packed callees first,
// so that packages only import earlier ones. Roots[t] is tree t's root
// function.
type Layout struct {
	Packages []*Package
	Roots    []Root
	lim      Limits
	pkgNodes int // nodes in the last package
}

// NewLayout starts an empty layout within lim.
func NewLayout(lim Limits) *Layout { return &Layout{lim: lim} }

// Add cuts the next tree into functions, places them and returns the files
// this closes: files are closed as soon as nothing more can go into them,
// so that their trees need not stay in memory.
func (l *Layout) Add(root *Node) []TreeFile {
	lim := l.lim
	funcs := cutTree(len(l.Roots), root, lim)
	size := nodes(funcs)
	// A tree that fits in what is left of the last package goes there;
	// any other starts a new package (and a tree larger than a package
	// spreads from there).
	if len(l.Packages) == 0 || l.pkgNodes > 0 && l.pkgNodes+size > lim.PackageNodes {
		l.newPackage()
	}
	if size <= lim.PackageNodes {
		for _, f := range funcs {
			f.Package = len(l.Packages) - 1
		}
		l.pkgNodes += size
	} else {
		// funcs is in pre-order, so reversed every callee comes before
		// its caller.
		for _, f := range slices.Backward(funcs) {
			if l.pkgNodes > 0 && l.pkgNodes+f.Nodes > lim.PackageNodes {
				l.newPackage()
			}
			f.Package = len(l.Packages) - 1
			l.pkgNodes += f.Nodes
		}
	}
	l.Roots = append(l.Roots, Root{Name: funcs[0].Name(), Package: funcs[0].Package})
	var closed []TreeFile
	for _, f := range funcs {
		pkg := l.Packages[f.Package]
		if pkg.Files == 0 || pkg.openNodes+f.Nodes > lim.FileNodes {
			closed = append(closed, pkg.close()...)
			pkg.Files++
		}
		pkg.open = append(pkg.open, f)
		pkg.openNodes += f.Nodes
	}
	// Only the last package takes more functions.
	for _, pkg := range l.Packages[:len(l.Packages)-1] {
		closed = append(closed, pkg.close()...)
	}
	return closed
}

// Close closes the files still open, once every tree is added.
func (l *Layout) Close() []TreeFile {
	var closed []TreeFile
	for _, pkg := range l.Packages {
		closed = append(closed, pkg.close()...)
	}
	return closed
}

func (l *Layout) newPackage() {
	l.Packages = append(l.Packages, &Package{Index: len(l.Packages)})
	l.pkgNodes = 0
}

// close closes the package's open file, if it has one.
func (p *Package) close() []TreeFile {
	if len(p.open) == 0 {
		return nil
	}
	f := TreeFile{Package: p, Index: p.Files - 1, Funcs: p.open}
	p.open, p.openNodes = nil, 0
	return []TreeFile{f}
}

func nodes(funcs []*Func) int {
	n := 0
	for _, f := range funcs {
		n += f.Nodes
	}
	return n
}

// cutTree marks the subtrees that become their own functions and returns
// the tree's functions in pre-order, root first.
func cutTree(tree int, root *Node, lim Limits) []*Func {
	root.Func = &Func{Tree: tree, Root: root}
	root.Func.Nodes, _ = cut(root, lim)
	var funcs []*Func
	var collect func(n *Node)
	collect = func(n *Node) {
		if n.Func != nil {
			n.Func.Tree = tree
			funcs = append(funcs, n.Func)
		}
		if n.Left != nil {
			collect(n.Left)
			collect(n.Right)
		}
	}
	collect(root)
	return funcs
}

// cut walks bottom-up and returns the nodes and nesting that n's subtree
// puts in its caller's function. While a split would exceed lim, its larger
// child (by nodes or by nesting, whichever is over) becomes a function, which
// costs the caller one node and no nesting.
func cut(n *Node, lim Limits) (size, depth int) {
	if n.Left == nil {
		return 1, 0
	}
	ls, ld := cut(n.Left, lim)
	rs, rd := cut(n.Right, lim)
	for 1+ls+rs > lim.FuncNodes || 1+max(ld, rd) > lim.FuncDepth {
		left := ls >= rs
		if 1+max(ld, rd) > lim.FuncDepth {
			left = ld >= rd
		}
		if left {
			n.Left.Func = &Func{Root: n.Left, Nodes: ls}
			ls, ld = 1, 0
		} else {
			n.Right.Func = &Func{Root: n.Right, Nodes: rs}
			rs, rd = 1, 0
		}
	}
	return 1 + ls + rs, 1 + max(ld, rd)
}
