// Package socks5test is a small SOCKS5 server (RFC 1928, CONNECT only, with the username/password method
// of RFC 1929) for tests of Grafana's Secure SOCKS proxy in its insecure (non-TLS) mode. It records every
// tunnel it opens, so a test can tell which requests went through it.
package socks5test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// Tunnel is one CONNECT the proxy served.
type Tunnel struct {
	Target   string // host:port the client asked for
	Username string // RFC 1929 user name ("" without authentication)
	Local    string // local address of the proxy's connection to the target: the RemoteAddr the target sees
}

// Server is a running proxy; it stops at the end of the test.
type Server struct {
	Addr string

	ln      net.Listener
	mu      sync.Mutex
	tunnels []Tunnel
	conns   map[net.Conn]bool
	wg      sync.WaitGroup
}

// Start listens on a free local port.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("socks5test: %v", err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.close)
	return s
}

// Tunnels lists the tunnels opened so far.
func (s *Server) Tunnels() []Tunnel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tunnels)
}

// Carried reports whether a connection whose client address (as a server sees it in RemoteAddr) is
// remote was opened by this proxy.
func (s *Server) Carried(remote string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.ContainsFunc(s.tunnels, func(t Tunnel) bool { return t.Local == remote })
}

func (s *Server) close() {
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil // refuse what is accepted from now on
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		return false
	}
	s.conns[c] = true
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	_ = c.Close()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		if !s.track(c) {
			_ = c.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			s.handle(c)
		}()
	}
}

func (s *Server) handle(c net.Conn) {
	user, err := s.negotiate(c)
	if err != nil {
		return
	}
	target, err := readRequest(c)
	if err != nil {
		return
	}
	up, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", target)
	if err != nil {
		// 0x05: connection refused.
		_, _ = c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	if !s.track(up) {
		_ = up.Close()
		return
	}
	defer s.untrack(up)
	s.mu.Lock()
	s.tunnels = append(s.tunnels, Tunnel{Target: target, Username: user, Local: up.LocalAddr().String()})
	s.mu.Unlock()
	bound, ok := up.LocalAddr().(*net.TCPAddr)
	if !ok {
		return
	}
	reply := []byte{5, 0, 0, 1}
	reply = append(reply, bound.IP.To4()...)
	reply = binary.BigEndian.AppendUint16(reply, uint16(bound.Port)) //nolint:gosec // a TCP port fits
	if _, err := c.Write(reply); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	<-done
}

// negotiate answers the method selection; with username/password offered it reads (and accepts) them.
func (s *Server) negotiate(c net.Conn) (string, error) {
	head := make([]byte, 2)
	if _, err := io.ReadFull(c, head); err != nil || head[0] != 5 {
		return "", errors.New("not SOCKS5")
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return "", err
	}
	if !slices.Contains(methods, 2) {
		_, err := c.Write([]byte{5, 0})
		return "", err
	}
	if _, err := c.Write([]byte{5, 2}); err != nil {
		return "", err
	}
	// RFC 1929: VER ULEN UNAME PLEN PASSWD.
	ver := make([]byte, 2)
	if _, err := io.ReadFull(c, ver); err != nil || ver[0] != 1 {
		return "", errors.New("bad authentication version")
	}
	name := make([]byte, ver[1])
	if _, err := io.ReadFull(c, name); err != nil {
		return "", err
	}
	plen := make([]byte, 1)
	if _, err := io.ReadFull(c, plen); err != nil {
		return "", err
	}
	if _, err := io.ReadFull(c, make([]byte, plen[0])); err != nil {
		return "", err
	}
	_, err := c.Write([]byte{1, 0})
	return string(name), err
}

// readRequest reads a CONNECT request and returns its target.
func readRequest(c net.Conn) (string, error) {
	head := make([]byte, 4)
	if _, err := io.ReadFull(c, head); err != nil {
		return "", err
	}
	if head[0] != 5 || head[1] != 1 {
		return "", fmt.Errorf("unsupported command %d", head[1])
	}
	var host string
	switch head[3] {
	case 1, 4:
		ip := make([]byte, map[byte]int{1: 4, 4: 16}[head[3]])
		if _, err := io.ReadFull(c, ip); err != nil {
			return "", err
		}
		host = net.IP(ip).String()
	case 3:
		n := make([]byte, 1)
		if _, err := io.ReadFull(c, n); err != nil {
			return "", err
		}
		name := make([]byte, n[0])
		if _, err := io.ReadFull(c, name); err != nil {
			return "", err
		}
		host = string(name)
	default:
		return "", fmt.Errorf("unsupported address type %d", head[3])
	}
	port := make([]byte, 2)
	if _, err := io.ReadFull(c, port); err != nil {
		return "", err
	}
	return net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port)))), nil
}
