#include "SlowlorisRun.h"

#include "LoadLoop.h"
#include "UpgradeHandshake.h"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cctype>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <random>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>
#include <unistd.h>

namespace webchat::bench {

namespace {

constexpr std::uint64_t NsPerMs = 1000000;

double msSince(std::uint64_t startNs)
{
	return static_cast<double>(nowNs() - startNs) / 1e6;
}

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix)
{
	if (text.size() < prefix.size()) return false;
	for (std::size_t i = 0; i < prefix.size(); ++i)
	{
		const char a = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
		if (a != prefix[i]) return false;
	}
	return true;
}

// A closed descriptor, whatever happens in between.
class Descriptor
{
public:
	explicit Descriptor(int fd): _fd(fd) {}
	~Descriptor()
	{
		if (_fd >= 0) ::close(_fd);
	}
	Descriptor(const Descriptor&) = delete;
	Descriptor& operator=(const Descriptor&) = delete;
	int get() const { return _fd; }

private:
	int _fd;
};

// ---- the slow connections ---------------------------------------------------

class SlowConnections
{
public:
	SlowConnections(const SlowlorisConfig& config, SlowlorisResult& result):
		_config(config),
		_result(result),
		_head(slowRequestHead(config.page.hostHeader)),
		_firstRequest("GET / HTTP/1.1\r\nHost: " + config.page.hostHeader + "\r\n\r\n"),
		_intervalNs(config.intervalMs * NsPerMs),
		_slots(config.slow)
	{
		for (std::size_t i = 0; i < _slots.size(); ++i) _slots[i].source = loopbackSource(i, config.addresses);
		_epoll = ::epoll_create1(EPOLL_CLOEXEC);
		if (_epoll < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
	}

	~SlowConnections()
	{
		for (Slot& slot: _slots)
		{
			if (slot.fd >= 0) ::close(slot.fd);
		}
		::close(_epoll);
	}

	SlowConnections(const SlowConnections&) = delete;
	SlowConnections& operator=(const SlowConnections&) = delete;

	std::size_t open() const { return _open.load(); }

	void stop() { _stopping = true; }

	/// The loop ended on a failure of the bench's own (any thread).
	bool failed() const { return _failed; }
	/// What failed (after run() returned).
	const std::string& error() const { return _error; }

	// Until stop(): every slot's tick (spread over one interval), and what
	// the server does to the connections.
	void run()
	{
		const std::uint64_t start = nowNs();
		for (std::size_t i = 0; i < _slots.size(); ++i) _slots[i].nextTickNs = start + _intervalNs * i / _slots.size();
		std::vector<epoll_event> events(256);
		while (!_stopping && !_failed)
		{
			std::uint64_t now = nowNs();
			std::uint64_t nextDue = now + _intervalNs;
			for (Slot& slot: _slots)
			{
				if (slot.nextTickNs <= now)
				{
					tick(slot, now);
					slot.nextTickNs += _intervalNs;
					if (slot.nextTickNs <= now) slot.nextTickNs = now + _intervalNs;
				}
				nextDue = std::min(nextDue, slot.nextTickNs);
			}
			now = nowNs();
			// Wake at the next tick, and at least every 100 ms to see stop().
			const std::uint64_t waitNs = std::min<std::uint64_t>(nextDue > now ? nextDue - now : 0, 100 * NsPerMs);
			const int n = ::epoll_wait(_epoll, events.data(), static_cast<int>(events.size()),
				static_cast<int>((waitNs + NsPerMs - 1) / NsPerMs));
			for (int i = 0; i < n; ++i) handle(_slots[events[i].data.u64], events[i].events);
		}
	}

private:
	enum class State
	{
		Waiting,    // not open: opens at its next tick
		Connecting,
		Answering,  // follow-up: the complete first request sent, its response awaited
		Trickling
	};

	struct Slot
	{
		sockaddr_in source{};
		int fd = -1;
		State state = State::Waiting;
		std::uint64_t nextTickNs = 0;
		std::uint64_t requestStartNs = 0;
		std::size_t trickled = 0; // bytes of the current slow request sent
		std::string received;     // follow-up: the first response so far
	};

	void fail(const std::string& error)
	{
		if (_failed) return;
		_error = error;
		_failed = true;
	}

	std::size_t indexOf(const Slot& slot) const { return static_cast<std::size_t>(&slot - _slots.data()); }

	void tick(Slot& slot, std::uint64_t now)
	{
		if (slot.state == State::Waiting) connect(slot, now);
		else if (slot.state == State::Trickling) trickle(slot, now);
	}

	void connect(Slot& slot, std::uint64_t now)
	{
		const sockaddr* target = reinterpret_cast<const sockaddr*>(&_config.page.address);
		const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
		{
			fail(std::string("socket: ") + std::strerror(errno));
			return;
		}
		if (::bind(fd, reinterpret_cast<const sockaddr*>(&slot.source), sizeof slot.source) != 0)
		{
			fail("bind to " + loopbackSourceAddress(indexOf(slot), _config.addresses) + ": " + std::strerror(errno));
			::close(fd);
			return;
		}
		++_result.connectsStarted;
		slot.fd = fd;
		slot.requestStartNs = now;
		slot.trickled = 0;
		slot.received.clear();
		if (::connect(fd, target, _config.page.addressLength) != 0 && errno != EINPROGRESS)
		{
			++_result.connectFailures;
			closeSlot(slot);
			return;
		}
		slot.state = State::Connecting;
		watch(slot, EPOLL_CTL_ADD, EPOLLOUT | EPOLLIN | EPOLLRDHUP);
	}

	void watch(Slot& slot, int operation, std::uint32_t interest)
	{
		epoll_event event{};
		event.events = interest;
		event.data.u64 = indexOf(slot);
		if (::epoll_ctl(_epoll, operation, slot.fd, &event) != 0)
			fail(std::string("epoll_ctl: ") + std::strerror(errno));
	}

	void handle(Slot& slot, std::uint32_t events)
	{
		if (slot.state == State::Connecting)
		{
			int error = 0;
			socklen_t length = sizeof error;
			::getsockopt(slot.fd, SOL_SOCKET, SO_ERROR, &error, &length);
			if (error != 0 || (events & (EPOLLERR | EPOLLHUP)))
			{
				++_result.connectFailures;
				closeSlot(slot);
				return;
			}
			connected(slot);
			if (!(events & (EPOLLIN | EPOLLRDHUP))) return;
		}
		if (slot.fd < 0) return;
		char buffer[4096];
		for (;;)
		{
			const ssize_t n = ::recv(slot.fd, buffer, sizeof buffer, 0);
			if (n > 0)
			{
				if (slot.state == State::Answering) answered(slot, std::string_view(buffer, static_cast<std::size_t>(n)));
				// While trickling, whatever the server says (a 408, a 400)
				// is dropped: only its closing counts.
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
			if (n < 0 && errno == EINTR) continue;
			closedByServer(slot);
			return;
		}
	}

	void connected(Slot& slot)
	{
		++_result.established;
		++_open;
		slot.state = State::Answering;
		watch(slot, EPOLL_CTL_MOD, EPOLLIN | EPOLLRDHUP);
		if (_config.followUp) send(slot, _firstRequest);
		else startTrickling(slot);
	}

	void answered(Slot& slot, std::string_view bytes)
	{
		slot.received.append(bytes);
		const HttpResponseProgress response = HttpResponseProgress::of(slot.received, false);
		if (!response.complete) return;
		++_result.firstRequestsAnswered;
		slot.received.clear();
		startTrickling(slot);
	}

	void startTrickling(Slot& slot)
	{
		slot.state = State::Trickling;
		slot.requestStartNs = nowNs();
		slot.trickled = 0;
		trickle(slot, slot.requestStartNs);
		// The next byte one interval from now.
		slot.nextTickNs = slot.requestStartNs + _intervalNs;
	}

	void trickle(Slot& slot, std::uint64_t)
	{
		const char byte = slot.trickled < _head.size() ? _head[slot.trickled] : 'a';
		if (send(slot, std::string_view(&byte, 1)))
		{
			++slot.trickled;
			++_result.bytesTrickled;
		}
	}

	// False when nothing went out (the socket buffer full; or closed).
	bool send(Slot& slot, std::string_view bytes)
	{
		const ssize_t n = ::send(slot.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
		if (n >= 0) return n > 0;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return false;
		closedByServer(slot);
		return false;
	}

	void closedByServer(Slot& slot)
	{
		const std::uint64_t afterNs = nowNs() - slot.requestStartNs;
		if (afterNs < _intervalNs) ++_result.closedAtOnce;
		else _result.closedLaterAfterMs.push_back(static_cast<double>(afterNs) / 1e6);
		--_open;
		closeSlot(slot);
	}

	void closeSlot(Slot& slot)
	{
		::close(slot.fd); // leaves the epoll set with it
		slot.fd = -1;
		slot.state = State::Waiting;
	}

	const SlowlorisConfig& _config;
	SlowlorisResult& _result; // its counters: this loop's until run() returns
	const std::string _head;
	const std::string _firstRequest;
	const std::uint64_t _intervalNs;
	std::vector<Slot> _slots;
	int _epoll = -1;
	std::atomic<bool> _stopping{false};
	std::atomic<bool> _failed{false};
	std::string _error;
	std::atomic<std::size_t> _open{0};
};

// ---- the honest probes --------------------------------------------------------

// A blocking socket connected to endpoint, with send and receive timeouts
// of timeoutMs (connect too: Linux bounds it by the send timeout).
int connectProbe(const Endpoint& endpoint, std::uint64_t timeoutMs, std::string& error)
{
	const int fd = ::socket(endpoint.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
	{
		error = std::string("socket: ") + std::strerror(errno);
		return -1;
	}
	timeval timeout{};
	timeout.tv_sec = static_cast<time_t>(timeoutMs / 1000);
	timeout.tv_usec = static_cast<suseconds_t>(timeoutMs % 1000 * 1000);
	::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
	::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
	const int one = 1;
	::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (::connect(fd, reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.addressLength) != 0)
	{
		error = std::string("connect: ") + std::strerror(errno);
		::close(fd);
		return -1;
	}
	return fd;
}

bool sendAll(int fd, std::string_view bytes, std::string& error)
{
	while (!bytes.empty())
	{
		const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0)
		{
			error = std::string("send: ") + std::strerror(errno);
			return false;
		}
		bytes.remove_prefix(static_cast<std::size_t>(n));
	}
	return true;
}

// Appends what arrives to received; false at the end of the stream
// (ended set) or on an error or timeout (error set).
bool receiveMore(int fd, std::string& received, bool& ended, std::string& error)
{
	char buffer[16384];
	for (;;)
	{
		const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
		if (n > 0)
		{
			received.append(buffer, static_cast<std::size_t>(n));
			return true;
		}
		if (n == 0)
		{
			ended = true;
			return false;
		}
		if (errno == EINTR) continue;
		error = errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : std::string("recv: ") + std::strerror(errno);
		return false;
	}
}

ProbeResult pageProbe(const SlowlorisConfig& config)
{
	ProbeResult result;
	const std::uint64_t start = nowNs();
	Descriptor fd(connectProbe(config.page, config.probeTimeoutMs, result.error));
	if (fd.get() < 0) return result;
	if (!sendAll(fd.get(), "GET / HTTP/1.1\r\nHost: " + config.page.hostHeader + "\r\nConnection: close\r\n\r\n", result.error))
		return result;
	std::string received;
	bool ended = false;
	HttpResponseProgress response;
	for (;;)
	{
		const bool more = receiveMore(fd.get(), received, ended, result.error);
		response = HttpResponseProgress::of(received, ended);
		if (response.complete || response.malformed || !more) break;
	}
	if (response.malformed) result.error = "malformed response";
	else if (!response.complete && result.error.empty()) result.error = "connection closed before the response was complete";
	else if (response.complete && response.status != 200) result.error = "status " + std::to_string(response.status);
	if (response.complete && result.error == "timed out") result.error.clear();
	result.ms = msSince(start);
	return result;
}

ProbeResult joinProbe(const SlowlorisConfig& config, std::size_t index, std::mt19937& random)
{
	ProbeResult result;
	unsigned char key[16];
	for (unsigned char& byte: key) byte = static_cast<unsigned char>(random());
	const std::string target = config.expectWelcome ? config.joinPath + std::to_string(index) : config.joinPath;
	const UpgradeHandshake handshake(config.chat.hostHeader, target, key);
	const std::uint64_t start = nowNs();
	Descriptor fd(connectProbe(config.chat, config.probeTimeoutMs, result.error));
	if (fd.get() < 0) return result;
	if (!sendAll(fd.get(), handshake.request(), result.error)) return result;
	std::string received;
	bool ended = false;
	std::size_t headEnd = 0;
	while ((headEnd = UpgradeHandshake::headEnd(received)) == 0)
	{
		if (received.size() > UpgradeHandshake::MaxResponseHead)
		{
			result.error = "response head too long";
			return result;
		}
		if (!receiveMore(fd.get(), received, ended, result.error))
		{
			if (ended) result.error = "closed before the 101";
			return result;
		}
	}
	result.error = handshake.check(std::string_view(received).substr(0, headEnd));
	if (!result.error.empty()) return result;
	received.erase(0, headEnd);
	if (config.expectWelcome)
	{
		std::optional<ServerFrame> frame;
		try
		{
			while (!(frame = ServerFrame::first(received)))
			{
				if (!receiveMore(fd.get(), received, ended, result.error))
				{
					if (ended) result.error = "closed before the welcome";
					return result;
				}
			}
		}
		catch (const std::invalid_argument& error)
		{
			result.error = error.what();
			return result;
		}
		if (frame->opcode != 1 || frame->payload.find("\"type\":\"welcome\"") == std::string::npos)
		{
			result.error = "the first event is not a welcome: " + frame->payload.substr(0, 200);
			return result;
		}
	}
	result.ms = msSince(start);
	// A masked close frame, 1000, then the socket closes: the member leaves.
	const unsigned char close[] = {0x88, 0x82, key[0], key[1], key[2], key[3],
		static_cast<unsigned char>(0x03 ^ key[0]), static_cast<unsigned char>(0xe8 ^ key[1])};
	std::string ignored;
	sendAll(fd.get(), std::string_view(reinterpret_cast<const char*>(close), sizeof close), ignored);
	return result;
}

} // namespace

std::string slowRequestHead(std::string_view hostHeader)
{
	return "GET / HTTP/1.1\r\nHost: " + std::string(hostHeader) + "\r\nUser-Agent: webchat-bench slowloris\r\nX-Slow: ";
}

std::optional<double> nearestRank(std::vector<double> values, double percentile)
{
	if (values.empty()) return std::nullopt;
	std::sort(values.begin(), values.end());
	const double rank = std::ceil(percentile / 100.0 * static_cast<double>(values.size()));
	const std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
	return values[std::min(index, values.size() - 1)];
}

HttpResponseProgress HttpResponseProgress::of(std::string_view received, bool ended)
{
	HttpResponseProgress progress;
	const std::size_t headEnd = received.find("\r\n\r\n");
	if (headEnd == std::string_view::npos)
	{
		// The status line is checked as soon as it is there.
		if (received.size() >= 5 && received.substr(0, 5) != "HTTP/") progress.malformed = true;
		return progress;
	}
	const std::string_view head = received.substr(0, headEnd + 2);
	if (head.substr(0, 5) != "HTTP/" || head.size() < 12 || head[8] != ' ')
	{
		progress.malformed = true;
		return progress;
	}
	int status = 0;
	for (std::size_t i = 9; i < 12; ++i)
	{
		if (head[i] < '0' || head[i] > '9')
		{
			progress.malformed = true;
			return progress;
		}
		status = status * 10 + (head[i] - '0');
	}
	progress.status = status;
	std::optional<std::uint64_t> contentLength;
	std::size_t line = head.find("\r\n") + 2;
	while (line < head.size())
	{
		const std::size_t end = head.find("\r\n", line);
		const std::string_view field = head.substr(line, end - line);
		if (startsWithIgnoringCase(field, "content-length:"))
		{
			std::string_view value = field.substr(15);
			while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
			while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
			if (value.empty() || value.size() > 15 || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
			{
				progress.malformed = true;
				return progress;
			}
			contentLength = std::stoull(std::string(value));
		}
		line = end + 2;
	}
	const std::size_t bodyStart = headEnd + 4;
	if ((status >= 100 && status < 200) || status == 204 || status == 304) contentLength = 0;
	if (contentLength)
	{
		if (received.size() - bodyStart >= *contentLength)
		{
			progress.complete = true;
			progress.length = bodyStart + *contentLength;
		}
	}
	else if (ended)
	{
		progress.complete = true;
		progress.length = received.size();
	}
	return progress;
}

std::optional<ServerFrame> ServerFrame::first(std::string_view received)
{
	if (received.size() < 2) return std::nullopt;
	const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(received[i]); };
	if (byte(1) & 0x80) throw std::invalid_argument("a masked frame from the server");
	std::uint64_t length = byte(1) & 0x7f;
	std::size_t header = 2;
	if (length == 126)
	{
		if (received.size() < 4) return std::nullopt;
		length = (static_cast<std::uint64_t>(byte(2)) << 8) | byte(3);
		header = 4;
	}
	else if (length == 127)
	{
		if (received.size() < 10) return std::nullopt;
		length = 0;
		for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | byte(i);
		header = 10;
	}
	if (length > 16 * 1024 * 1024) throw std::invalid_argument("a frame of " + std::to_string(length) + " bytes");
	if (received.size() < header + length) return std::nullopt;
	ServerFrame frame;
	frame.opcode = byte(0) & 0x0f;
	frame.payload = std::string(received.substr(header, static_cast<std::size_t>(length)));
	frame.length = header + static_cast<std::size_t>(length);
	return frame;
}

SlowlorisResult runSlowloris(const SlowlorisConfig& config, const std::function<void()>& sampleServer)
{
	if (config.page.address.ss_family != AF_INET)
		throw std::invalid_argument("slowloris: the page listener must be reached over IPv4 (the slow connections come from 127.0.0.2 onwards)");
	SlowlorisResult result;
	const std::uint64_t start = nowNs();
	SlowConnections slow(config, result);
	std::thread loop([&slow] { slow.run(); });
	std::mt19937 random(std::random_device{}());
	const auto pause = [](std::uint64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
	pause(config.settleMs);
	for (std::size_t i = 0; i < config.probes && !slow.failed(); ++i)
	{
		result.openAtProbe.push_back(slow.open());
		result.pageProbes.push_back(pageProbe(config));
		result.joinProbes.push_back(joinProbe(config, i, random));
		if (i + 1 < config.probes) pause(config.probeGapMs);
	}
	if (sampleServer) sampleServer();
	result.openAtEnd = slow.open();
	slow.stop();
	loop.join();
	result.error = slow.error();
	result.seconds = static_cast<double>(nowNs() - start) / 1e9;
	return result;
}

} // namespace webchat::bench
