package kinesisout

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// fake is a Publisher that keeps what it writes. callErr fails a whole
// call; entryErr fails one entry on its nth send (1-based) with an error
// code, or writes it when it returns "".
type fake struct {
	mu       sync.Mutex
	calls    []int // entries per call
	written  []string
	attempts map[string]int
	callErr  func(ctx context.Context, data []string) error
	entryErr func(data string, n int) string
}

var _ Publisher = (*fake)(nil)

func (f *fake) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.attempts == nil {
		f.attempts = map[string]int{}
	}
	f.calls = append(f.calls, len(in.Records))
	data := make([]string, len(in.Records))
	for i, r := range in.Records {
		data[i] = string(r.Data)
	}
	if f.callErr != nil {
		if err := f.callErr(ctx, data); err != nil {
			return nil, err
		}
	}
	out := &kinesis.PutRecordsOutput{Records: make([]types.PutRecordsResultEntry, len(data))}
	for i, d := range data {
		f.attempts[d]++
		if f.entryErr != nil {
			if code := f.entryErr(d, f.attempts[d]); code != "" {
				out.Records[i] = types.PutRecordsResultEntry{ErrorCode: aws.String(code), ErrorMessage: aws.String("injected")}
				continue
			}
		}
		f.written = append(f.written, d)
		out.Records[i] = types.PutRecordsResultEntry{SequenceNumber: aws.String("1")}
	}
	return out, nil
}

var fastRetry = Retry{Base: time.Millisecond, Max: 4 * time.Millisecond, Margin: time.Millisecond, Rounds: 20}

// entries are n entries whose data is "r<i>" padded to size bytes.
func entries(n, size int) []Entry {
	out := make([]Entry, n)
	for i := range out {
		data := fmt.Sprintf("r%d", i)
		if len(data) < size {
			data += strings.Repeat(".", size-len(data))
		}
		out[i] = Entry{Data: []byte(data), Key: fmt.Sprint(i), Rec: i}
	}
	return out
}

func apiError(code string) error { return &smithy.GenericAPIError{Code: code, Message: "injected"} }

// refusal is Kinesis's ValidationException naming fields, as it words it.
func refusal(fields ...string) error {
	var clauses []string
	for _, f := range fields {
		clauses = append(clauses, fmt.Sprintf("Value 'x' at '%s' failed to satisfy constraint: Member must have length less than or equal to 256", f))
	}
	return &smithy.GenericAPIError{Code: "ValidationException",
		Message: fmt.Sprintf("%d validation errors detected: %s", len(fields), strings.Join(clauses, "; "))}
}

// recs are the Rec fields of failures, in order, and their classes.
func recs(failed []Failure) (rec []int, class []Class) {
	for _, f := range failed {
		rec, class = append(rec, f.Rec), append(class, f.Class)
	}
	return rec, class
}

func TestChunks(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, size   int
		wantCalls []int
	}{
		{"500 records per call", 1201, 10, []int{500, 500, 201}},
		// 17 records of 300 KiB and a short key stay under 5 MiB; 18 do not.
		{"5 MiB per call", 40, 300 << 10, []int{17, 17, 6}},
		{"exactly 500", 500, 1, []int{500}},
		{"none", 0, 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{}
			failed, resent := Publish(context.Background(), f, "s", entries(tc.n, tc.size), fastRetry)
			if len(failed) != 0 || resent != 0 {
				t.Fatalf("failed %v, resent %d", failed, resent)
			}
			if diff := cmp.Diff(tc.wantCalls, f.calls); diff != "" {
				t.Errorf("records per call (-want +got):\n%s", diff)
			}
			if len(f.written) != tc.n {
				t.Errorf("%d written, want %d", len(f.written), tc.n)
			}
		})
	}
}

// TestFailedEntriesRetried: only the entries that failed are sent again,
// until they are written.
func TestFailedEntriesRetried(t *testing.T) {
	f := &fake{entryErr: func(data string, n int) string {
		switch {
		case strings.HasPrefix(data, "r3.") && n <= 3:
			return "ProvisionedThroughputExceededException"
		case strings.HasPrefix(data, "r7.") && n == 1:
			return "InternalFailure"
		}
		return ""
	}}
	failed, resent := Publish(context.Background(), f, "s", entries(10, 8), fastRetry)
	if len(failed) != 0 {
		t.Fatalf("failed: %v", failed)
	}
	// One call for all, then r3 and r7, then r3 twice more.
	if diff := cmp.Diff([]int{10, 2, 1, 1}, f.calls); diff != "" {
		t.Errorf("records per call (-want +got):\n%s", diff)
	}
	if resent != 4 || len(f.written) != 10 {
		t.Errorf("resent %d, written %d; want 4 and 10", resent, len(f.written))
	}
}

// TestRetriesExhausted: an entry that keeps failing is sent Rounds more
// times, then returned as a Transient failure; the others are written.
func TestRetriesExhausted(t *testing.T) {
	f := &fake{entryErr: func(data string, _ int) string {
		if strings.HasPrefix(data, "r2.") || strings.HasPrefix(data, "r5.") {
			return "ProvisionedThroughputExceededException"
		}
		return ""
	}}
	failed, resent := Publish(context.Background(), f, "s", entries(8, 8), Retry{Base: time.Millisecond, Max: time.Millisecond, Rounds: 4})
	rec, class := recs(failed)
	if diff := cmp.Diff([]int{2, 5}, rec); diff != "" {
		t.Errorf("failed entries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Class{Transient, Transient}, class); diff != "" {
		t.Errorf("classes (-want +got):\n%s", diff)
	}
	if len(f.calls) != 5 || resent != 8 || len(f.written) != 6 {
		t.Errorf("%d calls, %d re-sends, %d written; want 5, 8 and 6", len(f.calls), resent, len(f.written))
	}
	if !strings.Contains(failed[0].Err.Error(), "put record to s: ProvisionedThroughputExceededException: injected") {
		t.Errorf("error %q does not say which stream and code", failed[0].Err)
	}
}

func TestTransientCallRetried(t *testing.T) {
	for name, callErr := range map[string]error{
		"throttled":  apiError("ProvisionedThroughputExceededException"),
		"service":    apiError("InternalFailure"),
		"no api err": errors.New("connection reset"),
	} {
		t.Run(name, func(t *testing.T) {
			calls := 0
			f := &fake{callErr: func(context.Context, []string) error {
				if calls++; calls <= 2 {
					return callErr
				}
				return nil
			}}
			failed, resent := Publish(context.Background(), f, "s", entries(4, 8), fastRetry)
			if len(failed) != 0 || len(f.written) != 4 || resent != 8 {
				t.Errorf("failed %v, %d written, %d re-sends; want none, 4 and 8", failed, len(f.written), resent)
			}
		})
	}
}

// TestWrongResultCountRetried: an answer without one result per record
// says nothing of which were written; all are sent again.
func TestWrongResultCountRetried(t *testing.T) {
	f := &wrongCount{}
	failed, resent := Publish(context.Background(), f, "s", entries(3, 8), Retry{Base: time.Millisecond, Max: time.Millisecond, Rounds: 2})
	if len(failed) != 3 || resent != 6 || failed[0].Class != Transient || !strings.Contains(failed[0].Err.Error(), "answered 2 results for 3 records") {
		t.Errorf("failed %v, %d re-sends", failed, resent)
	}
}

type wrongCount struct{}

func (wrongCount) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	return &kinesis.PutRecordsOutput{Records: make([]types.PutRecordsResultEntry, len(in.Records)-1)}, nil
}

// TestPermanentNotRetried: a call that fails for good is made once, and
// all its entries are returned as Permanent.
func TestPermanentNotRetried(t *testing.T) {
	f := &fake{callErr: func(context.Context, []string) error { return apiError("ResourceNotFoundException") }}
	failed, resent := Publish(context.Background(), f, "s", entries(3, 8), fastRetry)
	_, class := recs(failed)
	if diff := cmp.Diff([]Class{Permanent, Permanent, Permanent}, class); diff != "" {
		t.Errorf("classes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{3}, f.calls); diff != "" || resent != 0 {
		t.Errorf("a permanent error was retried: calls %v, %d re-sends", f.calls, resent)
	}
}

// TestRefusedCallBisected: Kinesis refuses a whole call for one bad entry;
// Publish splits it until that entry stands alone, returns it as Refused,
// and writes the rest.
func TestRefusedCallBisected(t *testing.T) {
	f := &fake{callErr: func(_ context.Context, data []string) error {
		for _, d := range data {
			if strings.HasPrefix(d, "r137.") {
				return refusal("records.3.member.partitionKey")
			}
		}
		return nil
	}}
	failed, resent := Publish(context.Background(), f, "s", entries(300, 8), fastRetry)
	rec, class := recs(failed)
	if diff := cmp.Diff([]int{137}, rec); diff != "" {
		t.Fatalf("failed entries (-want +got):\n%s", diff)
	}
	if class[0] != Refused || !strings.Contains(failed[0].Err.Error(), "put records to s: ") {
		t.Errorf("failure %v (%v), want Refused", failed[0].Err, class[0])
	}
	if len(f.written) != 299 || resent != 0 {
		t.Errorf("%d written, %d re-sends; want 299 and 0", len(f.written), resent)
	}
	// One call, then two per halving: 300 → 150 → ... → 1 is 9 halvings.
	if len(f.calls) > 1+2*9 {
		t.Errorf("%d calls to isolate one entry of 300: %v", len(f.calls), f.calls)
	}
}

// TestEntryClassified: entry error codes go through the same table as
// whole calls: a code no retry can fix is not sent again.
func TestEntryClassified(t *testing.T) {
	f := &fake{entryErr: func(data string, _ int) string {
		if strings.HasPrefix(data, "r1.") {
			return "KMSAccessDeniedException"
		}
		return ""
	}}
	failed, resent := Publish(context.Background(), f, "s", entries(3, 8), fastRetry)
	rec, class := recs(failed)
	if !cmp.Equal([]int{1}, rec) || !cmp.Equal([]Class{Permanent}, class) || resent != 0 {
		t.Errorf("failed %v %v, %d re-sends; want entry 1 Permanent and none", rec, class, resent)
	}
}

// TestHungCallCutOff: a call that never answers is cut off Margin before
// the deadline; its entries come back as Transient failures, in time.
func TestHungCallCutOff(t *testing.T) {
	f := &fake{callErr: func(ctx context.Context, _ []string) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	failed, _ := Publish(ctx, f, "s", entries(3, 8), Retry{Base: 10 * time.Millisecond, Max: 20 * time.Millisecond, Margin: 200 * time.Millisecond, Rounds: 100})
	if ctx.Err() != nil {
		t.Error("Publish returned after the deadline")
	}
	rec, class := recs(failed)
	if !cmp.Equal([]int{0, 1, 2}, rec) || !cmp.Equal([]Class{Transient, Transient, Transient}, class) {
		t.Errorf("failed %v %v; want all three, Transient", rec, class)
	}
	if !errors.Is(failed[0].Err, context.DeadlineExceeded) {
		t.Errorf("error %v is not the call's deadline", failed[0].Err)
	}
}

// TestRetriesStopBeforeTheDeadline: entries that always fail are retried
// while the deadline allows a wait and a call, then returned, not lost.
func TestRetriesStopBeforeTheDeadline(t *testing.T) {
	f := &fake{entryErr: func(string, int) string { return "InternalFailure" }}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	failed, _ := Publish(ctx, f, "s", entries(3, 8), Retry{Base: 20 * time.Millisecond, Max: 40 * time.Millisecond, Margin: 300 * time.Millisecond, Rounds: 1000})
	if ctx.Err() != nil {
		t.Error("Publish was still retrying when the deadline passed")
	}
	if len(f.calls) < 3 {
		t.Errorf("%d calls: Publish gave up without retrying", len(f.calls))
	}
	if rec, _ := recs(failed); !cmp.Equal([]int{0, 1, 2}, rec) {
		t.Errorf("failed %v, want all three", rec)
	}
}

// TestNoTimeLeft: with less than Margin left no call is made, and every
// entry is returned.
func TestNoTimeLeft(t *testing.T) {
	f := &fake{}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	failed, _ := Publish(ctx, f, "s", entries(3, 8), Retry{Margin: time.Second, Rounds: 5})
	if len(f.calls) != 0 || len(failed) != 3 || failed[0].Class != Transient || !strings.Contains(failed[0].Err.Error(), "no time left") {
		t.Errorf("%d calls, failed %v", len(f.calls), failed)
	}
}

// TestNothingLost: whatever faults Kinesis answers with, every entry is
// either written or returned as a failure, and none is both.
func TestNothingLost(t *testing.T) {
	for seed := range uint64(50) {
		r := rand.New(rand.NewPCG(seed, 1))
		f := &fake{
			callErr: func(context.Context, []string) error {
				switch r.IntN(8) {
				case 0:
					return apiError("ProvisionedThroughputExceededException")
				case 1:
					return apiError("AccessDeniedException")
				}
				return nil
			},
			entryErr: func(data string, _ int) string {
				switch {
				case strings.HasPrefix(data, "r13."):
					return "InvalidArgumentException"
				case r.IntN(4) == 0:
					return "ProvisionedThroughputExceededException"
				}
				return ""
			},
		}
		in := entries(40+r.IntN(40), 8)
		failed, _ := Publish(context.Background(), f, "s", in, Retry{Max: time.Microsecond, Rounds: 3})
		seen := map[string]int{}
		for _, w := range f.written {
			seen[w]++
		}
		for _, e := range failed {
			seen[string(e.Data)]++
		}
		for _, e := range in {
			if n := seen[string(e.Data)]; n != 1 {
				t.Fatalf("seed %d: entry %d written or failed %d times, want once", seed, e.Rec, n)
			}
		}
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Class
	}{
		{apiError("ProvisionedThroughputExceededException"), Transient},
		{apiError("InternalFailure"), Transient},
		{apiError("SomethingNew"), Transient},
		{fmt.Errorf("put records to s: %w", refusal("records.7.member.data")), Refused},
		{refusal("records.1.member.partitionKey", "records.2.member.data"), Refused},
		// A refusal of the call itself: no entry is at fault.
		{refusal("streamName"), Permanent},
		{refusal("records.1.member.data", "streamName"), Permanent},
		{refusal("records"), Permanent},
		{apiError("ValidationException"), Permanent},
		{apiError("InvalidArgumentException"), Permanent},
		{apiError("SerializationException"), Permanent},
		{apiError("ResourceNotFoundException"), Permanent},
		{apiError("AccessDeniedException"), Permanent},
		{apiError("KMSDisabledException"), Permanent},
		{apiError("UnrecognizedClientException"), Permanent},
		{context.DeadlineExceeded, Transient},
		{errors.New("connection reset"), Transient},
	} {
		if got := classifyErr(tc.err); got != tc.want {
			t.Errorf("classifyErr(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestCallRefusalNotSplit: a refusal that names the request (here the
// stream name, as for an ARN or a malformed name) is no entry's fault: the
// call is not split, and every entry fails as Permanent, for a later
// invocation, in one call.
func TestCallRefusalNotSplit(t *testing.T) {
	f := &fake{callErr: func(context.Context, []string) error { return refusal("streamName") }}
	failed, resent := Publish(context.Background(), f, "s", entries(500, 8), fastRetry)
	if len(failed) != 500 || resent != 0 {
		t.Fatalf("%d failed, %d re-sends; want 500 and 0", len(failed), resent)
	}
	for _, fl := range failed {
		if fl.Class != Permanent {
			t.Fatalf("entry %d: %v, want Permanent", fl.Rec, fl.Class)
		}
	}
	if diff := cmp.Diff([]int{500}, f.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// TestSplitsBounded: when every entry is refused on its own, splitting
// stops after Retry.Splits calls; the entries it did not reach fail as
// Permanent (sent again by a later invocation), those it isolated as
// Refused.
func TestSplitsBounded(t *testing.T) {
	for _, splits := range []int{0, 30, -1} {
		f := &fake{callErr: func(context.Context, []string) error { return refusal("records.1.member.data") }}
		retry := fastRetry
		retry.Splits = splits
		failed, _ := Publish(context.Background(), f, "s", entries(500, 8), retry)
		want := splits
		switch splits {
		case 0:
			want = DefaultSplits
		case -1:
			want = 0
		}
		if len(f.calls) > 1+want || len(failed) != 500 {
			t.Errorf("Splits %d: %d calls, %d failed; want at most %d calls and 500 failed", splits, len(f.calls), len(failed), 1+want)
		}
		refused := 0
		for _, fl := range failed {
			if fl.Class == Refused {
				refused++
			}
		}
		if splits != -1 && refused == 0 || splits == -1 && refused != 0 {
			t.Errorf("Splits %d: %d entries isolated and refused", splits, refused)
		}
	}
}

// TestKeyOrderAfterRetry: what Publish's doc says of order. Without a
// re-send, entries of one key are written in order; an entry sent again
// lands after the others of its key. Consumers order by event_id.
func TestKeyOrderAfterRetry(t *testing.T) {
	in := []Entry{{Data: []byte("1"), Key: "k"}, {Data: []byte("2"), Key: "k"}, {Data: []byte("3"), Key: "k"}}
	f := &fake{}
	Publish(context.Background(), f, "s", in, fastRetry)
	if diff := cmp.Diff([]string{"1", "2", "3"}, f.written); diff != "" {
		t.Errorf("without re-sends (-want +got):\n%s", diff)
	}
	f = &fake{entryErr: func(data string, n int) string {
		if data == "1" && n == 1 {
			return "ProvisionedThroughputExceededException"
		}
		return ""
	}}
	Publish(context.Background(), f, "s", in, fastRetry)
	if diff := cmp.Diff([]string{"2", "3", "1"}, f.written); diff != "" {
		t.Errorf("with entry 1 sent again (-want +got):\n%s", diff)
	}
}

func TestCheckStream(t *testing.T) {
	for s, ok := range map[string]bool{
		"ride_prediction": true,
		"a.b-c_9":         true,
		"arn:aws:kinesis:eu-west-1:123456789012:stream/ride_prediction":    true,
		"arn:aws-cn:kinesis:cn-north-1:123456789012:stream/ride_predictio": true,
		"":                       false,
		strings.Repeat("x", 129): false,
		"ride prediction":        false,
		"ride_prediction\n":      false,
		"arn:aws:kinesis:eu-west-1:123:stream/ride_prediction":           false,
		"arn:aws:sqs:eu-west-1:123456789012:ride_prediction":             false,
		"arn:aws:kinesis:eu-west-1:123456789012:stream/ride_prediction/": false,
	} {
		if err := CheckStream(s); (err == nil) != ok {
			t.Errorf("CheckStream(%q) = %v, want ok %v", s, err, ok)
		}
	}
	name, arn := StreamParams("arn:aws:kinesis:eu-west-1:123456789012:stream/ride_prediction")
	if aws.ToString(name) != "ride_prediction" || arn == nil {
		t.Errorf("an ARN is sent as name %q and ARN %v", aws.ToString(name), arn)
	}
	if name, arn := StreamParams("ride_prediction"); aws.ToString(name) != "ride_prediction" || arn != nil {
		t.Errorf("a name is sent as name %q and ARN %v", aws.ToString(name), arn)
	}
}
