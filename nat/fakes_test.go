package nat

import (
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeIGD is a UPnP Internet Gateway Device on loopback: a device
// description and one WAN connection service answering SOAP.
type fakeIGD struct {
	service       string // e.g. "WANIPConnection:1"
	onlyPermanent bool   // answer 725 to leases other than 0
	controlURL    string // overrides the control URL in the description

	ts *httptest.Server

	mu       sync.Mutex // guards mappings, actions
	mappings map[string]map[string]string
	actions  []string
}

func newFakeIGD(t *testing.T, service string) *fakeIGD {
	f := &fakeIGD{service: service, mappings: map[string]map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /rootDesc.xml", f.describe)
	mux.HandleFunc("POST /ctl", f.control)
	f.ts = httptest.NewServer(mux)
	t.Cleanup(f.ts.Close)
	return f
}

func (f *fakeIGD) location() *url.URL {
	u, _ := url.Parse(f.ts.URL + "/rootDesc.xml")
	return u
}

func (f *fakeIGD) describe(w http.ResponseWriter, r *http.Request) {
	v := f.service[len(f.service)-1:]
	ctl := "/ctl"
	if f.controlURL != "" {
		ctl = f.controlURL
	}
	fmt.Fprintf(w, `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
 <specVersion><major>1</major><minor>0</minor></specVersion>
 <device>
  <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:%[1]s</deviceType>
  <friendlyName>fake IGD</friendlyName>
  <UDN>uuid:00000000-0000-0000-0000-000000000001</UDN>
  <serviceList>
   <service>
    <serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
    <serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId>
    <controlURL>/l3f</controlURL><eventSubURL>/l3fe</eventSubURL><SCPDURL>/l3f.xml</SCPDURL>
   </service>
  </serviceList>
  <deviceList>
   <device>
    <deviceType>urn:schemas-upnp-org:device:WANDevice:%[1]s</deviceType>
    <friendlyName>WAN</friendlyName>
    <UDN>uuid:00000000-0000-0000-0000-000000000002</UDN>
    <deviceList>
     <device>
      <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:%[1]s</deviceType>
      <friendlyName>WAN connection</friendlyName>
      <UDN>uuid:00000000-0000-0000-0000-000000000003</UDN>
      <serviceList>
       <service>
        <serviceType>urn:schemas-upnp-org:service:%[2]s</serviceType>
        <serviceId>urn:upnp-org:serviceId:WANConn1</serviceId>
        <controlURL>%[3]s</controlURL><eventSubURL>/evt</eventSubURL><SCPDURL>/scpd.xml</SCPDURL>
       </service>
      </serviceList>
     </device>
    </deviceList>
   </device>
  </deviceList>
 </device>
</root>`, v, f.service, ctl)
}

// soapRequest is the part of a SOAP envelope the fake reads.
type soapRequest struct {
	Body struct {
		Action struct {
			XMLName xml.Name
			Args    []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
			} `xml:",any"`
		} `xml:",any"`
	} `xml:"Body"`
}

func (f *fakeIGD) control(w http.ResponseWriter, r *http.Request) {
	urn := "urn:schemas-upnp-org:service:" + f.service
	ns, action, _ := strings.Cut(strings.Trim(r.Header.Get("SOAPAction"), `"`), "#")
	var req soapRequest
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if ns != urn || xml.Unmarshal(body, &req) != nil || req.Body.Action.XMLName.Local != action {
		f.fault(w, 401, "Invalid Action")
		return
	}
	args := map[string]string{}
	for _, a := range req.Body.Action.Args {
		args[a.XMLName.Local] = a.Value
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, action)
	out := ""
	switch action {
	case "GetExternalIPAddress":
		out = "<NewExternalIPAddress>203.0.113.9</NewExternalIPAddress>"
	case "AddPortMapping":
		if f.onlyPermanent && args["NewLeaseDuration"] != "0" {
			f.fault(w, 725, "OnlyPermanentLeasesSupported")
			return
		}
		f.mappings[args["NewProtocol"]+":"+args["NewExternalPort"]] = args
	case "DeletePortMapping":
		key := args["NewProtocol"] + ":" + args["NewExternalPort"]
		if _, ok := f.mappings[key]; !ok {
			f.fault(w, 714, "NoSuchEntryInArray")
			return
		}
		delete(f.mappings, key)
	default:
		f.fault(w, 401, "Invalid Action")
		return
	}
	w.Header().Set("Content-Type", `text/xml; charset="utf-8"`)
	fmt.Fprintf(w, `<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:%sResponse xmlns:u="%s">%s</u:%sResponse></s:Body></s:Envelope>`,
		action, urn, out, action)
}

func (f *fakeIGD) fault(w http.ResponseWriter, code int, desc string) {
	w.Header().Set("Content-Type", `text/xml; charset="utf-8"`)
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>%d</errorCode><errorDescription>%s</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`,
		code, desc)
}

func (f *fakeIGD) mapping(key string) (map[string]string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.mappings[key]
	return m, ok
}

// fakePMP is a NAT-PMP server on loopback UDP.
type fakePMP struct {
	conn *net.UDPConn
	done chan struct{}

	mu       sync.Mutex // guards all below
	drop     int        // requests to ignore
	result   uint16     // result code to answer
	grant    uint16     // external port to grant; 0 means the one asked
	requests [][]byte
	mappings map[string]uint32 // "tcp:int" -> lifetime
}

func newFakePMP(t *testing.T) *fakePMP {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakePMP{conn: conn, done: make(chan struct{}), mappings: map[string]uint32{}}
	go f.serve()
	t.Cleanup(func() { conn.Close(); <-f.done })
	return f
}

func (f *fakePMP) addr() netip.AddrPort { return f.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

func (f *fakePMP) set(fn func(f *fakePMP)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakePMP) serve() {
	defer close(f.done)
	buf := make([]byte, 1100) // RFC 6886: servers read up to 1100 bytes
	for {
		n, from, err := f.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		if resp := f.answer(buf[:n]); resp != nil {
			f.conn.WriteToUDPAddrPort(resp, from)
		}
	}
}

func (f *fakePMP) answer(req []byte) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, append([]byte(nil), req...))
	if f.drop > 0 {
		f.drop--
		return nil
	}
	if len(req) < 2 || req[0] != 0 {
		return []byte{0, 128, 0, 1, 0, 0, 0, 0} // unsupported version
	}
	resp := []byte{0, 128 + req[1], 0, 0, 0, 0, 0, 42} // epoch 42
	binary.BigEndian.PutUint16(resp[2:], f.result)
	switch req[1] {
	case 0:
		return append(resp, 203, 0, 113, 10)
	case 1, 2:
		if len(req) != 12 {
			return nil
		}
		in, ext, life := binary.BigEndian.Uint16(req[4:]), binary.BigEndian.Uint16(req[6:]), binary.BigEndian.Uint32(req[8:])
		proto := map[byte]string{1: "udp", 2: "tcp"}[req[1]]
		if f.result == 0 {
			if life == 0 {
				delete(f.mappings, fmt.Sprintf("%s:%d", proto, in))
				ext = 0
			} else {
				f.mappings[fmt.Sprintf("%s:%d", proto, in)] = life
				if f.grant != 0 {
					ext = f.grant
				}
			}
		}
		resp = binary.BigEndian.AppendUint16(resp, in)
		resp = binary.BigEndian.AppendUint16(resp, ext)
		return binary.BigEndian.AppendUint32(resp, life)
	}
	resp[3] = 5 // unsupported opcode
	return resp
}
