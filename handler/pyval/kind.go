package pyval

// Kind is a value's kind: a JSON value's is named by its first byte ('-'
// for -Infinity); kText and kInt are values a feature program computed (a
// computed float is a JSON number's, see floatValue); 0 is an absent field.
type Kind byte

const (
	kString Kind = '"'
	kNumber Kind = '0'
	kTrue   Kind = 't'
	kFalse  Kind = 'f'
	kNull   Kind = 'n'
	kNaN    Kind = 'N'
	kInf    Kind = 'I'
	kNegInf Kind = '-'
	kArray  Kind = '['
	kObject Kind = '{'
	kText   Kind = 's' // a computed str
	kInt    Kind = 'i' // a computed int
)

func (k Kind) String() string {
	switch k {
	case kString:
		return "string"
	case kNumber:
		return "number"
	case kTrue, kFalse:
		return "boolean"
	case kNull:
		return "null"
	case kNaN:
		return "NaN"
	case kInf:
		return "Infinity"
	case kNegInf:
		return "-Infinity"
	case kArray:
		return "array"
	case kObject:
		return "object"
	case kText:
		return "str"
	case kInt:
		return "int"
	}
	return "absent"
}
