package main

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/api"
)

// readmeFile is the repository's README, relative to this package.
const readmeFile = "../../README.md"

// readmeExamples is what TestReadmeExamples runs from the README: the node
// start line of the HTTP API section, every curl line, and every "$ go run
// ./cmd/ledgernet ..." example with the output lines printed under it.
type readmeExamples struct {
	node     []string // the arguments of the node start line
	curls    []string // whole command lines, continuations joined
	commands []readmeCommand
}

type readmeCommand struct {
	line string
	args []string
	want []string // expected output lines; "..." is a wildcard
}

// longRunning are commands whose "$" examples start something that runs
// until stopped; they have tests of their own (TestDevnetCommand,
// TestNodeCommand) and are not run here.
var longRunning = map[string]bool{"devnet": true, "node": true}

func parseReadme(t *testing.T) readmeExamples {
	t.Helper()
	b, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatalf("README: %v", err)
	}
	var ex readmeExamples
	var cur *readmeCommand
	var cont string
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		raw := s.Text()
		code, ok := strings.CutPrefix(raw, "    ")
		if !ok {
			cur = nil
			continue
		}
		line := strings.TrimSpace(code)
		if cont != "" {
			line = cont + " " + line
			cont = ""
		}
		if l, more := strings.CutSuffix(line, `\`); more {
			cont = strings.TrimSpace(l)
			continue
		}
		switch {
		case strings.HasPrefix(line, "curl "):
			ex.curls = append(ex.curls, line)
			cur = nil
		case strings.HasPrefix(line, "$ go run ./cmd/ledgernet "):
			args := shellWords(t, strings.TrimPrefix(line, "$ go run ./cmd/ledgernet "))
			if longRunning[args[0]] {
				cur = nil
				continue
			}
			ex.commands = append(ex.commands, readmeCommand{line: line, args: args})
			cur = &ex.commands[len(ex.commands)-1]
		case strings.HasPrefix(line, "$ "):
			cur = nil
		case strings.HasPrefix(line, "go run ./cmd/ledgernet node --listen 127.0.0.1:") && ex.node == nil:
			ex.node = shellWords(t, strings.TrimPrefix(line, "go run ./cmd/ledgernet "))
		case cur != nil:
			cur.want = append(cur.want, code)
		}
	}
	if ex.node == nil || len(ex.curls) < 3 || len(ex.commands) < 4 {
		t.Fatalf("README examples not found: node %q, %d curl lines, %d commands", ex.node, len(ex.curls), len(ex.commands))
	}
	return ex
}

// shellWords splits a command line as sh would for the README's examples:
// spaces separate words, single quotes group them. Anything more needs a
// shell, and fails here so the README stays simple.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	if strings.ContainsAny(line, "\"$`\\|;&<>") {
		t.Fatalf("README example %q needs a shell", line)
	}
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("README example %q: unbalanced quote", line)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// matchOutput reports whether want (README lines) matches got: the lines in
// order, a line "..." skipping any number of lines, "..." inside a line
// matching any text.
func matchOutput(want []string, got string) bool {
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	var pats []*regexp.Regexp
	for _, w := range want {
		if strings.TrimSpace(w) == "..." {
			pats = append(pats, nil)
			continue
		}
		parts := strings.Split(w, "...")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		pats = append(pats, regexp.MustCompile("^"+strings.Join(parts, ".*")+"$"))
	}
	var match func(p, l int) bool
	match = func(p, l int) bool {
		if p == len(pats) {
			return true
		}
		if pats[p] == nil {
			for k := l; k <= len(lines); k++ {
				if match(p+1, k) {
					return true
				}
			}
			return false
		}
		return l < len(lines) && pats[p].MatchString(lines[l]) && match(p+1, l+1)
	}
	return match(0, 0)
}

func TestMatchOutput(t *testing.T) {
	out := "{\n  \"a\": 1,\n  \"b\": 2\n}\n"
	for _, tt := range []struct {
		want []string
		ok   bool
	}{
		{nil, true},
		{[]string{"{", `  "a": 1,`, "..."}, true},
		{[]string{"{", "...", "}"}, true},
		{[]string{`  "a": ...`}, false}, // lines match from the first
		{[]string{"{", `  "b": 2`}, false},
		{[]string{"{", "...", `  "b": ...`, "}"}, true},
	} {
		if got := matchOutput(tt.want, out); got != tt.ok {
			t.Errorf("matchOutput(%q) = %v", tt.want, got)
		}
	}
}

// TestReadmeExamples starts a node as the README's HTTP API section says
// (default data directory, under a temporary HOME, and default API
// address), then runs every curl line and every "$" example of the README
// against it: an error answer, a failed command or output other than the
// README shows fails the test, so the README and the program cannot drift
// apart.
func TestReadmeExamples(t *testing.T) {
	ex := parseReadme(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}

	base := "http://" + api.DefaultAddr
	// Ready when its API answers (is 127.0.0.1:8645 or its listen port taken
	// if it ends first?).
	node := startNodeCmd(t, ex.node[1:], func(*runningNode) bool { // ex.node[0] is "node"
		resp, err := http.Get(base + "/api/v1/node")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	defer func() {
		if err := node.stop(t); err != nil {
			t.Errorf("node: %v", err)
		}
	}()
	if _, err := os.Stat(filepath.Join(home, ".ledgernet", "devnet", api.TokenFile)); err != nil {
		t.Fatalf("no token in the default data directory: %v", err)
	}

	t.Run("curl", func(t *testing.T) {
		if _, err := exec.LookPath("curl"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("curl is not installed")
			}
			t.Skip("curl is not installed")
		}
		for _, line := range ex.curls {
			cmd := exec.Command("sh", "-c", line)
			cmd.Env = append(os.Environ(), "HOME="+home)
			out, err := cmd.CombinedOutput()
			if err != nil || len(bytes.TrimSpace(out)) == 0 || bytes.Contains(out, []byte(`"error"`)) {
				t.Errorf("%s\n=> %v\n%s", line, err, out)
			}
		}
	})
	t.Run("commands", func(t *testing.T) {
		t.Chdir(root) // the README's paths are relative to the repository
		for _, c := range ex.commands {
			out, err := runCLI(t, c.args...)
			var ee *exitError
			if err != nil || errors.As(err, &ee) {
				t.Errorf("%s\n=> %v\n%s", c.line, err, out)
				continue
			}
			if !matchOutput(c.want, out) {
				t.Errorf("%s\nprinted:\n%s\nthe README shows:\n%s", c.line, out, strings.Join(c.want, "\n"))
			}
		}
	})
}
