package pyval

import (
	"fmt"
	"math"
)

// This file is DictVectorizer.transform on the dict a feature program
// returns, one key at a time: a str value is the category key=value, a
// number or bool is the numeric feature key, None is NaN, a list is one
// category per element (each must be a str), a dict raises TypeError. A
// feature name the vectorizer does not know sets nothing; Features holds
// that as an absent category ("") or an absent number (the model's
// absent value, see Number).

// errMultiHot is a list of several strs: DictVectorizer sets several
// categories of one key, which Features cannot hold (a divergence:
// refused).
var errMultiHot = fmt.Errorf("a list of several strs sets several categories of one key, which the compiled model cannot hold (%w)", ErrDivergence)

// Category is the category v sets for a categorical key, "" for none.
func Category(v Value) (string, error) {
	if v.kind == kText { // what the forms make: no copy
		return v.rawString(), nil
	}
	switch v.kind {
	case kString, kText:
		return text(v), nil
	case kArray:
		return listCategory(v)
	case kObject:
		return "", errType("unsupported value type dict for DictVectorizer")
	}
	return "", nil // a number, bool or None sets the numeric feature key, unknown here
}

// listCategory is the category a list sets: none for an empty list, its
// element for a list of one str.
func listCategory(v Value) (string, error) {
	var cat string
	n := 0
	err := eachElement(v, func(e Value) error {
		if !isStr(e) {
			return errType("unsupported type %s in a list for DictVectorizer (only str)", typeName(e))
		}
		n++
		cat = text(e)
		return nil
	})
	switch {
	case err != nil:
		return "", err
	case n > 1:
		return "", errMultiHot
	}
	return cat, nil
}

// Number is the value v sets for a numeric key: a number or bool as
// float64 (an int beyond float64's range raises OverflowError, as
// np.float64 does), None NaN; a str or a list of strs sets a category
// the vectorizer does not know, so absent is returned, the model's absent
// number (0, or NaN where absent means missing).
func Number(v Value, absent float64) (float64, error) {
	x, ok, err := number(v)
	switch {
	case err != nil:
		return 0, err
	case ok:
		return x, nil
	case v.kind == kNull:
		return math.NaN(), nil
	}
	return absent, Unused(v)
}

// Unused checks a value DictVectorizer reads but whose features it does
// not know: only a dict, or a list holding anything but strs, raises.
func Unused(v Value) error {
	switch v.kind {
	case kObject:
		return errType("unsupported value type dict for DictVectorizer")
	case kArray:
		return eachElement(v, func(e Value) error {
			if !isStr(e) {
				return errType("unsupported type %s in a list for DictVectorizer (only str)", typeName(e))
			}
			return nil
		})
	}
	return nil
}

// eachElement calls f with each element of the checked array v.
func eachElement(v Value, f func(Value) error) error {
	r := NewReader(v.raw)
	r.Open('[')
	for first := true; ; first = false {
		if more, _ := r.element(first); !more {
			return nil
		}
		e, _ := r.Value()
		if err := f(e); err != nil {
			return err
		}
	}
}
