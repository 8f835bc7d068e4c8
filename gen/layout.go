package main

import (
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

// Package is one generated tree package and its files, each a list of
// functions.
type Package struct {
	Name  string
	Files [][]*Func
}

// Layout places every function in a package and a file. Roots[t] is tree
// t's root function.
type Layout struct {
	Packages []*Package
	Roots    []*Func
}

// NewLayout cuts the plan's trees into functions within lim and packs them
// into files and packages in estimator order. A tree that fits in a package
// stays in one; a larger one spreads over several, packed callees first, so
// that packages only import earlier ones.
func NewLayout(p *Plan, lim Limits) *Layout {
	l := &Layout{}
	pkg, pkgNodes := l.newPackage(), 0
	for t, root := range p.Trees {
		funcs := cutTree(t, root, lim)
		size := 0
		for _, f := range funcs {
			size += f.Nodes
		}
		if size <= lim.PackageNodes {
			if pkgNodes > 0 && pkgNodes+size > lim.PackageNodes {
				pkg, pkgNodes = l.newPackage(), 0
			}
			for _, f := range funcs {
				f.Package = pkg
			}
			pkgNodes += size
		} else {
			// funcs is in pre-order, so reversed every callee comes
			// before its caller.
			if pkgNodes > 0 {
				pkg, pkgNodes = l.newPackage(), 0
			}
			for _, f := range slices.Backward(funcs) {
				if pkgNodes > 0 && pkgNodes+f.Nodes > lim.PackageNodes {
					pkg, pkgNodes = l.newPackage(), 0
				}
				f.Package = pkg
				pkgNodes += f.Nodes
			}
		}
		l.Roots = append(l.Roots, funcs[0])
		l.place(funcs, lim)
	}
	return l
}

func (l *Layout) newPackage() int {
	l.Packages = append(l.Packages, &Package{Name: fmt.Sprintf("trees%03d", len(l.Packages))})
	return len(l.Packages) - 1
}

// place appends funcs, in pre-order, to their packages' last files.
func (l *Layout) place(funcs []*Func, lim Limits) {
	for _, f := range funcs {
		pkg := l.Packages[f.Package]
		n := len(pkg.Files)
		if n == 0 || nodes(pkg.Files[n-1])+f.Nodes > lim.FileNodes {
			pkg.Files = append(pkg.Files, nil)
			n++
		}
		pkg.Files[n-1] = append(pkg.Files[n-1], f)
	}
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
