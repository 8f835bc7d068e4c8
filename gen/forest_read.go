package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ReadForest decodes and validates forest JSON as a stream: each tree in
// turn is handed to visit with its index and then dropped, so that memory
// holds one tree at a time, whatever the size of the model. The trees are
// read once the header is known: export.py writes the header first; if
// "trees" comes before it (keys sorted, say), r is read a second time.
// Errors name the tree and node at fault.
func ReadForest(r io.ReadSeeker, visit func(i int, t *Tree) error) (*Header, []Feature, error) {
	fr := forestReader{visit: visit}
	visited, err := fr.read(r)
	if err == nil && !visited {
		if fr.features, err = fr.h.features(); err != nil {
			return nil, nil, err
		}
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return nil, nil, err
		}
		_, err = fr.read(r)
	}
	if err != nil {
		return nil, nil, err
	}
	return &fr.h, fr.features, nil
}

// forestReader reads forest JSON in one or two passes.
type forestReader struct {
	h        Header
	features []Feature // once the header is whole and valid
	visit    func(i int, t *Tree) error
}

// read makes one pass over the forest object. Until the header is whole,
// it decodes the header's keys (skipping trees that come first); once it
// is, it decodes, validates and visits the trees. It reports whether it
// visited them.
func (fr *forestReader) read(r io.Reader) (visited bool, err error) {
	dec := jsontext.NewDecoder(r)
	if err := delim(dec, '{'); err != nil {
		return false, malformed(err)
	}
	seen := map[string]bool{}
	header := map[string]any{"format_version": &fr.h.FormatVersion, "metadata": &fr.h.Metadata, "prediction": &fr.h.Rule, "vectorizer": &fr.h.Vocabulary,
		"features": &fr.h.Program}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return false, malformed(err)
		}
		key := tok.String() // an object's names are strings; the decoder rejects duplicates
		seen[key] = true
		switch {
		case key == "trees":
			if fr.features == nil && seen["format_version"] && seen["metadata"] && seen["vectorizer"] && (seen["prediction"] || fr.h.FormatVersion == 1) &&
				(seen["features"] || fr.h.FormatVersion < 3) {
				if fr.features, err = fr.h.features(); err != nil {
					return false, err
				}
			}
			visited = fr.features != nil
			if err := fr.trees(dec, visited); err != nil {
				return false, err
			}
		case header[key] != nil && fr.features == nil:
			if err := json.UnmarshalDecode(dec, header[key]); err != nil {
				return false, malformed(err)
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return false, malformed(err)
			}
		}
	}
	if err := delim(dec, '}'); err != nil {
		return false, malformed(err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return false, malformed(errors.New("data after the forest object"))
	}
	if !seen["trees"] {
		return false, errors.New(`no "trees"`)
	}
	return visited, nil
}

// trees reads the trees array, tree by tree: visiting each (checking the
// count against the header at the end), or only skipping it.
func (fr *forestReader) trees(dec *jsontext.Decoder, visit bool) error {
	if err := delim(dec, '['); err != nil {
		return malformed(err)
	}
	n := 0
	for ; dec.PeekKind() != ']'; n++ {
		if !visit {
			if err := dec.SkipValue(); err != nil {
				return malformed(err)
			}
			continue
		}
		var t Tree
		if err := json.UnmarshalDecode(dec, &t); err != nil {
			return malformed(fmt.Errorf("tree %d: %w", n, err))
		}
		if err := t.validate(fr.h.Rule, fr.h.Vocabulary, fr.features); err != nil {
			return fmt.Errorf("tree %d, %w", n, err)
		}
		if err := fr.visit(n, &t); err != nil {
			return err
		}
	}
	if err := delim(dec, ']'); err != nil {
		return malformed(err)
	}
	if visit && (n == 0 || fr.h.Metadata.NTrees != n) {
		return fmt.Errorf("metadata.n_trees is %d but there are %d trees", fr.h.Metadata.NTrees, n)
	}
	return nil
}

// delim reads the JSON delimiter want.
func delim(dec *jsontext.Decoder, want jsontext.Kind) error {
	tok, err := dec.ReadToken()
	if err == nil && tok.Kind() != want {
		err = fmt.Errorf("want %v, got %v", want, tok)
	}
	return err
}

func malformed(err error) error { return fmt.Errorf("malformed forest JSON: %w", err) }
