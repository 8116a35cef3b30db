package sharedstate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrUnavailable is wrapped by every error of an operation that could not
// reach Redis, or was refused because Redis is known to be down.
var ErrUnavailable = errors.New("the shared state (Redis) is unavailable")

// DefaultTimeout bounds every operation when Options.Timeout is 0.
const DefaultTimeout = 500 * time.Millisecond

// DefaultCounterTTL is how long the counters of an idle client key are
// kept when Options.CounterTTL is 0.
const DefaultCounterTTL = 24 * time.Hour

// Options says where the shared state lives and how to reach it.
type Options struct {
	// URL is redis://[user:password@]host:port/db, or rediss:// for TLS.
	URL string
	// Password is used when the URL carries none; "" means none.
	Password string
	// Namespace prefixes every key, so that two mocks on one Redis do not
	// mix; "" means "default".
	Namespace string
	// Timeout bounds each operation, connecting included; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// CounterTTL is how long the counters of a client key that makes no
	// call are kept; 0 means DefaultCounterTTL.
	CounterTTL time.Duration
	// Logger receives one line when Redis is lost and one when it is back;
	// nil means no logging.
	Logger *slog.Logger
	// ProbeInterval is the first wait between probes of a lost Redis,
	// doubled up to 5 s; 0 means 100 ms.
	ProbeInterval time.Duration
}

// Redis is the shared state in one Redis database. It is safe for
// concurrent use; Close stops it.
type Redis struct {
	client  *redis.Client
	prefix  string
	timeout time.Duration
	ttl     time.Duration
	log     *slog.Logger
	probe   time.Duration
	url     string // without the password, for messages

	down    atomic.Bool
	why     atomic.Pointer[string]
	wake    chan struct{}
	stop    chan struct{}
	counts  chan *countRequest // see countBatched
	stopped sync.WaitGroup
	closeMu sync.Once
}

// Open connects to the Redis the options name and checks that it answers.
// It returns an error naming the URL (never its password) when the URL is
// malformed or Redis does not answer within the timeout.
func Open(ctx context.Context, o Options) (*Redis, error) {
	opt, err := redis.ParseURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("--shared-state %s: %w", redacted(o.URL), err)
	}
	if opt.Password == "" {
		opt.Password = o.Password
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	// Every wait is bounded by the timeout, and a failed command is not
	// retried: a request must never wait longer than the timeout.
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout, opt.PoolTimeout = timeout, timeout, timeout, timeout
	opt.MaxRetries = -1
	opt.DialerRetries = 1
	opt.ContextTimeoutEnabled = true
	ns := o.Namespace
	if ns == "" {
		ns = "default"
	}
	s := &Redis{client: redis.NewClient(opt), prefix: "decoy:" + ns + ":", timeout: timeout,
		ttl: o.CounterTTL, log: o.Logger, probe: o.ProbeInterval, url: redacted(o.URL),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), counts: make(chan *countRequest)}
	if s.ttl <= 0 {
		s.ttl = DefaultCounterTTL
	}
	if s.probe <= 0 {
		s.probe = 100 * time.Millisecond
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := s.client.Ping(pctx).Err(); err != nil {
		s.client.Close()
		return nil, fmt.Errorf("--shared-state %s: cannot reach Redis within %s: %w", s.url, timeout, err)
	}
	if err := countScript.Load(pctx, s.client).Err(); err != nil {
		s.client.Close()
		return nil, fmt.Errorf("--shared-state %s: cannot load the counting script: %w", s.url, err)
	}
	s.stopped.Add(1 + dispatchers)
	go s.watch()
	for range dispatchers {
		go s.dispatch()
	}
	return s, nil
}

// Namespace returns the key prefix the store uses: "decoy:NAMESPACE:".
func (s *Redis) Namespace() string { return s.prefix }

// URL returns the URL of the Redis, its password hidden.
func (s *Redis) URL() string { return s.url }

// SetNamespace changes the namespace. It is for a caller that learns the
// namespace after Open (see DefaultNamespace), and must be called before
// the store is first used: it is not safe for concurrent use.
func (s *Redis) SetNamespace(ns string) {
	if ns == "" {
		ns = "default"
	}
	s.prefix = "decoy:" + ns + ":"
}

// DefaultNamespace returns the namespace of a mock of the API with this
// title and version: a short hash, so that two mocks on one Redis do not
// mix and the replicas of one share without configuration.
func DefaultNamespace(title, version string) string {
	sum := sha256.Sum256([]byte(title + "\x00" + version))
	return hex.EncodeToString(sum[:6])
}

// Close stops the probes and closes the connections.
func (s *Redis) Close() error {
	var err error
	s.closeMu.Do(func() {
		close(s.stop)
		s.stopped.Wait()
		err = s.client.Close()
	})
	return err
}

// Health reports whether Redis answers; when it does not, why says since
// when and what the last error was.
func (s *Redis) Health() (ok bool, why string) {
	if !s.down.Load() {
		return true, ""
	}
	if p := s.why.Load(); p != nil {
		return false, *p
	}
	return false, "the shared state (Redis) is unavailable"
}

// do runs op within the timeout, unless Redis is known to be down, and
// turns a failure into an error wrapping ErrUnavailable (and an outage).
func (s *Redis) do(ctx context.Context, op func(ctx context.Context) error) error {
	if s.down.Load() {
		return s.unavailable(nil)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err := op(ctx)
	if err == nil || errors.Is(err, redis.Nil) {
		return err
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return err // the client left; Redis is not to blame
	}
	var rerr redis.Error
	if errors.As(err, &rerr) && !isConnectionError(rerr) {
		return fmt.Errorf("redis at %s: %w", s.url, err) // an answer, not an outage
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		// A slow answer under load is not yet an outage: this request
		// gets its 503, and a probe, at once, decides for the others.
		s.suspect()
		return s.unavailable(err)
	}
	s.lost(err)
	return s.unavailable(err)
}

// suspect asks the watcher to probe Redis now.
func (s *Redis) suspect() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func isConnectionError(err redis.Error) bool {
	msg := err.Error()
	for _, p := range []string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN"} {
		if len(msg) >= len(p) && msg[:len(p)] == p {
			return true
		}
	}
	return false
}

func (s *Redis) unavailable(err error) error {
	if err == nil {
		_, why := s.Health()
		return fmt.Errorf("%w: %s", ErrUnavailable, why)
	}
	return fmt.Errorf("%w: redis at %s: %v", ErrUnavailable, s.url, err)
}

// lost marks an outage: logged once, and the watcher probes until Redis
// answers again.
func (s *Redis) lost(err error) {
	why := fmt.Sprintf("redis at %s unreachable since %s: %v", s.url, time.Now().UTC().Format(time.RFC3339), err)
	if s.down.CompareAndSwap(false, true) {
		s.why.Store(&why)
		s.log.Error("shared state lost; the parts that need it answer 503 until it is back", "redis", s.url, "err", err)
		s.suspect() // the watcher waits longer while all is well: probe now
	}
}

// watch probes a lost Redis with backoff until it answers, then marks it
// back; it also probes every few seconds while all is well, so that an
// outage is noticed without waiting for a request.
func (s *Redis) watch() {
	defer s.stopped.Done()
	wait := s.probe
	for {
		interval := 2 * time.Second
		if s.down.Load() {
			interval = wait
		}
		t := time.NewTimer(interval)
		select {
		case <-s.stop:
			t.Stop()
			return
		case <-s.wake: // an operation failed: probe now
			t.Stop()
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		err := s.client.Ping(ctx).Err()
		cancel()
		switch {
		case err == nil && s.down.Load():
			s.down.Store(false)
			s.log.Info("shared state back", "redis", s.url)
			wait = s.probe
		case err != nil && !s.down.Load():
			s.lost(err)
		case err != nil:
			wait = min(2*wait, 5*time.Second)
		}
	}
}

// redacted returns u with its password replaced by "xxxxx", for messages.
func redacted(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(a malformed URL)"
	}
	return p.Redacted()
}
