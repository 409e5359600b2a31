package api_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/api/apitest"
)

// chromiumPath is where Debian's chromium package puts the browser. CI
// installs it (apt-get install -y chromium) and sets CI, under which the
// test fails without it, so a missing browser cannot pass unnoticed there.
const chromiumPath = "/usr/bin/chromium"

// TestDashboardInChromium loads the dashboard in a real headless Chromium
// against a fake network of six nodes, checks it draws them all, then mines
// a block and checks the page follows. LEDGERNET_SCREENSHOT=FILE.png saves
// a screenshot.
func TestDashboardInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		// CI installs the browser, so there a missing one is a failure. On a
		// developer's machine with only Go (the README's set-up), Go cannot
		// install a browser: say what is missing and skip.
		if os.Getenv("CI") != "" {
			t.Fatalf("the dashboard test needs Chromium at %s (apt-get install -y chromium): %v", chromiumPath, err)
		}
		t.Skipf("SKIPPED: the dashboard test needs Chromium at %s (apt-get install -y chromium); CI runs it: %v", chromiumPath, err)
	}
	const n = 6
	b := apitest.New(n)
	defer b.Close()
	b.SetHeight(4, 95) // one node behind, syncing
	srv := api.New(b, api.Config{Addr: "127.0.0.1:0"})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	url := "http://" + srv.Addr().String() + "/"

	// Only loopback traffic: without the background-networking flags
	// Chromium tries to reach Google's services.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("no-pings", true),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	heights := func() []string {
		hs, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('#graph .node')].map(g => g.querySelector('text.height').textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		return hs
	}
	waitFor := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Minute))); err != nil {
			t.Fatalf("page never showed %s (%s): %v; heights %v", what, expr, err, heights())
		}
	}

	if err := chromedp.Do(bctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	waitFor(fmt.Sprintf("%d nodes", n), fmt.Sprintf(`document.querySelectorAll('#graph g.node').length === %d`, n))
	waitFor("the links", `document.querySelectorAll('#graph line.link').length > 0`)
	waitFor("the table", fmt.Sprintf(`document.querySelectorAll('#nodes tbody tr').length === %d`, n))
	want := []string{"100", "100", "100", "100", "95", "100"}
	if got := heights(); !slices.Equal(got, want) {
		t.Errorf("heights %v, want %v", got, want)
	}
	behind, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('#graph g.node.behind').length`))
	if err != nil || behind != 1 {
		t.Errorf("%d nodes drawn behind, want 1 (%v)", behind, err)
	}
	selfID, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('#graph g.node.self').dataset.id`))
	if err != nil || selfID != apitest.NodeID(0) {
		t.Errorf("self node %q (%v)", selfID, err)
	}

	b.Mine()
	waitFor("the new block", `[...document.querySelectorAll('#graph text.height')].filter(e => e.textContent === '101').length === 5`)
	waitFor("the new height in the table", `document.querySelector('#nodes tbody tr[data-id] td.height').textContent === '101'`)
	waitFor("the new height in the cards", `document.getElementById('c-height').textContent === '101'`)
	if got := heights(); !slices.Equal(got, []string{"101", "101", "101", "101", "96", "101"}) {
		t.Errorf("heights after mining %v", got)
	}
	state, err := chromedp.Run(bctx, chromedp.Text("#state"))
	if err != nil || !strings.HasPrefix(state, "updated") {
		t.Errorf("state line %q (%v)", state, err)
	}

	if path := os.Getenv("LEDGERNET_SCREENSHOT"); path != "" {
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Close the browser and wait for it before goleak looks.
	if err := chromedp.Cancel(bctx); err != nil {
		t.Logf("closing the browser: %v", err)
	}
}
