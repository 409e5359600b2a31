package chain

import (
	"slices"
	"time"
)

// Time rules for headers, as Bitcoin Core's ContextualCheckBlockHeader:
// a header's timestamp must be strictly after the median time past of its
// parent (the median of the parent's and up to ten earlier timestamps), and
// at most MaxFutureBlockTime after the local clock. The clock is always the
// caller's: rule code never reads the system time.

const (
	// MedianTimeBlocks is how many timestamps the median time past covers.
	MedianTimeBlocks = 11
	// MaxFutureBlockTime is how far ahead of the local clock a header's
	// timestamp may be (Core's MAX_FUTURE_BLOCK_TIME).
	MaxFutureBlockTime = 2 * time.Hour
)

// CalcMedianTimePast returns the median time past of a block from the
// timestamps of it and its ancestors, newest or oldest first (order does not
// matter), as Core's GetMedianTimePast: only the last MedianTimeBlocks count;
// with fewer (near genesis) the median of those available; for an even count
// the upper of the two middle values. It returns 0 for no timestamps.
func CalcMedianTimePast(timestamps []uint32) uint32 {
	if len(timestamps) == 0 {
		return 0
	}
	if len(timestamps) > MedianTimeBlocks {
		timestamps = timestamps[len(timestamps)-MedianTimeBlocks:]
	}
	s := slices.Clone(timestamps)
	slices.Sort(s)
	return s[len(s)/2]
}

// CheckHeaderTime applies both time rules to a timestamp: it must be after
// mtp (the parent's median time past) and not after now+MaxFutureBlockTime.
// It returns ErrTimeTooOld or ErrTimeTooNew.
func CheckHeaderTime(timestamp, mtp uint32, now time.Time) error {
	if timestamp <= mtp {
		return ErrTimeTooOld
	}
	if int64(timestamp) > now.Unix()+int64(MaxFutureBlockTime/time.Second) {
		return ErrTimeTooNew
	}
	return nil
}

// mtpWindow keeps the last MedianTimeBlocks timestamps of one chain, both in
// arrival order (a ring) and sorted, so that extending the chain costs one
// removal and one insertion into an 11-element array instead of walking back
// eleven parents and sorting.
type mtpWindow struct {
	ring   [MedianTimeBlocks]uint32
	sorted [MedianTimeBlocks]uint32
	n      int // timestamps held, up to MedianTimeBlocks
	head   int // ring index of the oldest when full
}

// push adds the newest timestamp, dropping the oldest when full.
func (w *mtpWindow) push(ts uint32) {
	if w.n < MedianTimeBlocks {
		w.ring[w.n] = ts // head stays 0 until the window is full
		w.insertSorted(ts, w.n)
		w.n++
		return
	}
	old := w.ring[w.head]
	w.ring[w.head] = ts
	if w.head++; w.head == MedianTimeBlocks {
		w.head = 0
	}
	// Overwrite one copy of old in sorted with ts, then move ts to its
	// place: a single pass over at most the elements between the two.
	i := 0
	for w.sorted[i] != old {
		i++
	}
	for i > 0 && w.sorted[i-1] > ts {
		w.sorted[i] = w.sorted[i-1]
		i--
	}
	for i < MedianTimeBlocks-1 && w.sorted[i+1] < ts {
		w.sorted[i] = w.sorted[i+1]
		i++
	}
	w.sorted[i] = ts
}

// insertSorted inserts ts into sorted[:n].
func (w *mtpWindow) insertSorted(ts uint32, n int) {
	i := n
	for i > 0 && w.sorted[i-1] > ts {
		w.sorted[i] = w.sorted[i-1]
		i--
	}
	w.sorted[i] = ts
}

// median returns the median time past of the window (Core's choice of
// element for even counts: index n/2 of the sorted values).
func (w *mtpWindow) median() uint32 {
	if w.n == 0 {
		return 0
	}
	return w.sorted[w.n/2]
}
