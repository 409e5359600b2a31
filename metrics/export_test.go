package metrics

import "github.com/prometheus/client_golang/prometheus"

// TestCounter returns the message counter of dir ("in" or "out") for tests.
func (m *Metrics) TestCounter(dir, proto, cmd string) prometheus.Counter {
	if dir == "in" {
		return m.msgsIn.WithLabelValues(proto, cmd)
	}
	return m.msgsOut.WithLabelValues(proto, cmd)
}
