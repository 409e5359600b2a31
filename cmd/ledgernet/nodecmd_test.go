package main

import (
	"context"
	"testing"
	"time"
)

// runningNode is `ledgernet node` run in-process by a test.
type runningNode struct {
	out     syncBuffer // its stdout and stderr (logs)
	done    chan error
	cancel  context.CancelFunc
	stopped bool
}

// startNodeCmd runs `ledgernet node args...` in-process and waits until
// ready(node) reports true, failing the test if the command ends first or ready
// never holds. The node is stopped when the test ends, if not before.
func startNodeCmd(t *testing.T, args []string, ready func(*runningNode) bool) *runningNode {
	t.Helper()
	n := &runningNode{done: make(chan error, 1)}
	root := newRootCmd()
	root.SetOut(&n.out)
	root.SetErr(&n.out)
	root.SetArgs(append([]string{"node"}, args...))
	var ctx context.Context
	ctx, n.cancel = context.WithCancel(context.Background())
	go func() { n.done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() { n.stop(t) })
	for deadline := time.Now().Add(3 * time.Minute); !ready(n); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-n.done:
			n.stopped = true
			t.Fatalf("node %q ended before it was ready: %v\n%s", args, err, n.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %q not ready:\n%s", args, n.out.String())
		}
	}
	return n
}

// stop ends the node as SIGINT would and returns its error.
func (n *runningNode) stop(t *testing.T) error {
	t.Helper()
	if n.stopped {
		return nil
	}
	n.stopped = true
	n.cancel()
	select {
	case err := <-n.done:
		return err
	case <-time.After(time.Minute):
		t.Error("node did not stop")
		return nil
	}
}
