package outbound

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestControl_refusesWhatIsNotLoopback(t *testing.T) {
	check := Control(false)
	for _, addr := range []string{"127.0.0.1:80", "127.1.2.3:9", "[::1]:443"} {
		assert.NoError(t, check("tcp", addr, nil), addr)
	}
	for _, addr := range []string{"192.0.2.1:80", "[2001:db8::1]:80", "10.0.0.1:9091", "0.0.0.0:80"} {
		err := check("tcp", addr, nil)
		assert.ErrorIs(t, err, ErrNotLoopback, addr)
		assert.Contains(t, err.Error(), "-allow-remote")
	}
	assert.Nil(t, Control(true), "allowed: no check at all")
}

func TestCheckURL(t *testing.T) {
	for raw, refused := range map[string]bool{
		"http://127.0.0.1:8080/x": false, "http://localhost/": false, "http://[::1]/": false,
		"http://name.example/": false, // a name is checked where it is dialled
		"http://192.0.2.1/":    true, "https://[2001:db8::2]:8443/": true,
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		assert.Equal(t, refused, CheckURL(u, false) != nil, raw)
		assert.NoError(t, CheckURL(u, true), raw)
	}
}

// TestNewClient_credentialsStayWithTheirOrigin: a redirect to another
// origin (another port of loopback) gets no Authorization, Cookie or API
// key, and a 307 that would resend a body there is not followed; on the
// same origin both are kept.
func TestNewClient_credentialsStayWithTheirOrigin(t *testing.T) {
	var mu sync.Mutex
	var reached []*http.Request
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reached = append(reached, r)
		mu.Unlock()
	}))
	t.Cleanup(other.Close)
	var sameBody string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /away", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.URL+"/in", http.StatusFound) })
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/login", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("POST /here", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/there", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("POST /there", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sameBody = string(b) + " " + r.Header.Get("Authorization")
	})
	target := httptest.NewServer(mux)
	t.Cleanup(target.Close)
	client := NewClient(Options{})

	req, _ := http.NewRequest(http.MethodGet, target.URL+"/away", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	req.Header.Set("Cookie", "sid=s3cret")
	req.Header.Set("X-API-Key", "s3cret")
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	login, _ := http.NewRequest(http.MethodPost, target.URL+"/login", strings.NewReader(`{"password":"s3cret"}`))
	resp, err = client.Do(login)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode, "not followed: the answer is the 307")

	here, _ := http.NewRequest(http.MethodPost, target.URL+"/here", strings.NewReader(`{"a":1}`))
	here.Header.Set("Authorization", "Bearer mine")
	resp, err = client.Do(here)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, `{"a":1} Bearer mine`, sameBody, "same origin: body and credentials follow")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, reached, 1, "only the GET reached the other origin")
	for _, h := range []string{"Authorization", "Cookie", "X-Api-Key"} {
		assert.Empty(t, reached[0].Header.Get(h), h)
	}
}

func TestNewClient_refusesARedirectToAnotherHost(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://192.0.2.1:8081/", http.StatusFound)
	}))
	t.Cleanup(target.Close)
	_, err := NewClient(Options{}).Get(target.URL)
	var re *RemoteError
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, "192.0.2.1:8081", re.Addr)
}
