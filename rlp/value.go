package rlp

// MaxDepth is how deeply Decode and Validate let lists nest. No devp2p or
// ledgernet message comes near it; the limit exists so that a peer cannot
// exhaust the stack with an input of nested list headers.
const MaxDepth = 128

// Value is a decoded RLP value of any shape: a string (Kind Byte or String,
// content in Bytes) or a list (Kind List, items in List).
type Value struct {
	Kind  Kind
	Bytes []byte
	List  []Value
}

// Decode decodes b, which must hold exactly one value, into a tree of Values.
// Byte strings alias b. Decode allocates one Value per item; it is meant for
// small inputs, tools and tests. Hot paths use Split or Stream.
func Decode(b []byte) (Value, error) {
	v, rest, err := decodeValue(b, 0)
	if err != nil {
		return Value{}, err
	}
	if len(rest) > 0 {
		return Value{}, ErrMoreThanOneValue
	}
	return v, nil
}

func decodeValue(b []byte, depth int) (Value, []byte, error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return Value{}, b, err
	}
	if k != List {
		return Value{Kind: k, Bytes: content}, rest, nil
	}
	if depth >= MaxDepth {
		return Value{}, b, ErrTooDeep
	}
	n, err := CountValues(content)
	if err != nil {
		return Value{}, b, elemErr(err)
	}
	items := make([]Value, 0, n)
	for len(content) > 0 {
		var v Value
		v, content, err = decodeValue(content, depth+1)
		if err != nil {
			return Value{}, b, elemErr(err)
		}
		items = append(items, v)
	}
	return Value{Kind: List, List: items}, rest, nil
}

// elemErr reports an oversized item inside a list as go-ethereum's Stream
// does.
func elemErr(err error) error {
	if err == ErrValueTooLarge {
		return ErrElemTooLarge
	}
	return err
}

// Validate checks that b holds exactly one well-formed, canonical value,
// looking inside every list. It allocates nothing.
func Validate(b []byte) error {
	rest, err := validate(b, 0)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return ErrMoreThanOneValue
	}
	return nil
}

func validate(b []byte, depth int) ([]byte, error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return b, err
	}
	if k != List {
		return rest, nil
	}
	if depth >= MaxDepth {
		return b, ErrTooDeep
	}
	for len(content) > 0 {
		if content, err = validate(content, depth+1); err != nil {
			return b, elemErr(err)
		}
	}
	return rest, nil
}

// Append appends the encoding of v to b. Decoding never produces a String of
// one byte below 0x80, so decoding and appending reproduce the input.
func (v Value) Append(b []byte) []byte {
	switch v.Kind {
	case Byte:
		if len(v.Bytes) == 1 {
			return append(b, v.Bytes[0])
		}
		return AppendBytes(b, v.Bytes)
	case List:
		b, start := StartList(b)
		for _, item := range v.List {
			b = item.Append(b)
		}
		return EndList(b, start)
	default:
		return AppendBytes(b, v.Bytes)
	}
}
