#include "HttpGate.h"

#include "GatedSocket.h"
#include "RequestHead.h"
#include "webchat/AddressKey.h"

#include "Poco/Exception.h"
#include "Poco/Net/HTTPResponse.h"
#include "Poco/String.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "Poco/Error.h"

#include <algorithm>

namespace webchat {

namespace {

// Tags of the loop's own descriptors: addresses that are no Pending.
char listeningTag;
char wakeupTag;

void setBlocking(platform::SocketHandle fd, bool blocking)
{
	platform::setNonBlocking(fd, !blocking);
}

Poco::Net::IPAddress addressOf(const sockaddr_storage& address, poco_socklen_t length)
{
	if (address.ss_family != AF_INET && address.ss_family != AF_INET6) return Poco::Net::IPAddress();
	return Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&address), length).host();
}

Poco::Net::SocketAddress localAddress(platform::SocketHandle fd)
{
	sockaddr_storage address{};
	poco_socklen_t length = sizeof address;
	if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
		throw Poco::SystemException("getsockname", platform::lastSocketError());
	return Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&address), length);
}

Poco::Net::IPAddress peerOf(platform::SocketHandle fd)
{
	sockaddr_storage address{};
	poco_socklen_t length = sizeof address;
	if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return Poco::Net::IPAddress();
	return addressOf(address, length);
}

void closeConnection(platform::SocketHandle fd, ssl_st* ssl)
{
	if (ssl) SSL_free(ssl);
	if (fd != platform::invalidSocket) platform::closeSocket(fd);
}

} // namespace

HttpGate::HttpGate(const ListenerSettings& settings, platform::SocketHandle listeningFd, Poco::Net::Context::Ptr tls, Poco::Logger& logger):
	_settings(settings),
	_tls(std::move(tls)),
	_logger(logger),
	_listeningFd(listeningFd),
	_listeningAddress(localAddress(listeningFd)),
	_poller(platform::Poller::create()),
	_buffer(settings.maxHeadBytes + 1)
{
	setBlocking(_listeningFd, false);
	_poller->add(_wakeup.fd(), platform::Poller::Read, &wakeupTag);
}

HttpGate::~HttpGate()
{
	stop();
	if (_listeningFd != platform::invalidSocket) platform::closeSocket(_listeningFd);
}

void HttpGate::start()
{
	_thread = std::thread([this] { run(); });
}

void HttpGate::stopAccepting()
{
	_acceptingWanted = false;
	_wakeup.signal();
}

void HttpGate::stop()
{
	_acceptingWanted = false;
	_stopping = true;
	_wakeup.signal();
	if (_thread.joinable()) _thread.join();
	std::lock_guard<std::mutex> lock(_readyMutex);
	for (auto& admitted : _ready) closeConnection(admitted.fd, admitted.ssl);
	_ready.clear();
	_readyWakeup.drain();
}

Poco::Net::ServerSocket HttpGate::serverSocket()
{
	return GateServerSocket(shared_from_this(), _readyWakeup.fd());
}

std::optional<HttpGate::Admitted> HttpGate::takeAdmitted()
{
	std::lock_guard<std::mutex> lock(_readyMutex);
	if (_ready.empty()) return std::nullopt;
	Admitted admitted = std::move(_ready.front());
	_ready.pop_front();
	if (_ready.empty()) _readyWakeup.drain();
	return admitted;
}

void HttpGate::readmit(platform::SocketHandle fd, ssl_st* ssl, int requests, std::uint64_t unreadBody)
{
	queueBack(fd, ssl, requests, unreadBody, false);
}

void HttpGate::linger(platform::SocketHandle fd, ssl_st* ssl, std::uint64_t unreadBody)
{
	// The response is out: the client sees its end now.
	platform::shutdownSending(fd);
	queueBack(fd, ssl, 0, unreadBody, true);
}

void HttpGate::queueBack(platform::SocketHandle fd, ssl_st* ssl, int requests, std::uint64_t unreadBody, bool closeAfterSkip)
{
	Admitted back;
	back.fd = fd;
	back.ssl = ssl;
	back.requests = requests;
	back.skip = unreadBody;
	back.closeAfterSkip = closeAfterSkip;
	{
		std::lock_guard<std::mutex> lock(_inboxMutex);
		if (!_stopping)
		{
			_inbox.push_back(std::move(back));
			back.fd = platform::invalidSocket;
			back.ssl = nullptr;
		}
	}
	if (back.fd != platform::invalidSocket) closeConnection(back.fd, back.ssl);
	else _wakeup.signal();
}

void HttpGate::run()
{
	std::array<platform::Poller::Event, 256> events;
	while (!_stopping)
	{
		const auto now = Clock::now();
		// Accepting wanted, and not paused for want of descriptors.
		const bool accept = _acceptingWanted.load() && now >= _acceptPausedUntil;
		if (_accepting != accept)
		{
			_accepting = accept;
			if (_accepting) _poller->add(_listeningFd, platform::Poller::Read, &listeningTag);
			else _poller->remove(_listeningFd);
		}
		int timeoutMs = 1000;
		if (!_deadlines.empty())
		{
			const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(_deadlines.begin()->first - now).count();
			timeoutMs = static_cast<int>(std::clamp<std::int64_t>(wait + 1, 0, 1000));
		}
		if (!_accepting && _acceptingWanted.load()) timeoutMs = std::min(timeoutMs, 100);
		const int n = _poller->wait(events.data(), static_cast<int>(events.size()), timeoutMs);
		for (int i = 0; i < n; ++i) dispatch(events[i].tag);
		expire();
		// Closed during this round: freed only now, as later events of the
		// same round may still name them.
		for (Pending* closed : _closed) _pending.erase(closed);
		_closed.clear();
	}
	for (auto& [key, pending] : _pending)
	{
		if (!pending->closed) closeConnection(pending->fd, pending->ssl);
	}
	_pending.clear();
	_deadlines.clear();
	_perPeer.clear();
	_pendingCount = 0;
	std::lock_guard<std::mutex> lock(_inboxMutex);
	for (auto& back : _inbox) closeConnection(back.fd, back.ssl);
	_inbox.clear();
}

void HttpGate::dispatch(void* tag)
{
	Pending* pending = nullptr;
	try
	{
		if (tag == &listeningTag) acceptAll();
		else if (tag == &wakeupTag) processInbox();
		else
		{
			auto found = _pending.find(static_cast<Pending*>(tag));
			if (found == _pending.end() || found->second->closed) return;
			pending = found->second.get();
			advance(*pending);
		}
	}
	catch (const std::exception& exc)
	{
		// A system call the loop cannot do without failed (epoll_ctl out
		// of memory, say): that connection goes, the loop goes on.
		_logger.warning(std::string("HTTP gate: ") + exc.what());
		if (pending) drop(*pending);
	}
}

void HttpGate::acceptAll()
{
	for (;;)
	{
		sockaddr_storage address{};
		poco_socklen_t length = sizeof address;
		platform::SocketHandle fd = platform::invalidSocket;
		const platform::IoStatus status = platform::acceptConnection(_listeningFd, fd, address, length);
		if (status != platform::IoStatus::Progress)
		{
			if (status == platform::IoStatus::Interrupted) continue;
			// Out of descriptors (EMFILE, ENFILE, ENOBUFS): the connection
			// waits in the backlog, which stays readable. Not watched for a
			// moment, or the loop would spin; WouldBlock: all taken.
			if (status == platform::IoStatus::Failed)
			{
				const int error = platform::lastSocketError();
				_acceptPausedUntil = Clock::now() + std::chrono::milliseconds(100);
				if (!_acceptErrorLogged)
				{
					_logger.error(_settings.name + ": cannot accept connections (" + Poco::Error::getMessage(error) + "); retrying every 100 ms");
					_acceptErrorLogged = true;
				}
			}
			return;
		}
		_acceptErrorLogged = false;
		const Poco::Net::IPAddress peer = addressOf(address, length);
		ssl_st* ssl = nullptr;
		if (_tls)
		{
			ssl = SSL_new(_tls->sslContext());
			// OpenSSL takes a socket as an int, a SOCKET included (its
			// values fit).
			if (!ssl || SSL_set_fd(ssl, static_cast<int>(fd)) != 1)
			{
				closeConnection(fd, ssl);
				count(Refusal::TlsHandshake);
				continue;
			}
			SSL_set_accept_state(ssl);
		}
		Pending& pending = track(fd, ssl, ssl ? Stage::Handshake : Stage::Head, peer, 0, _settings.headerTimeoutMs);
		// A client usually sends its request (or ClientHello) at once: one
		// that is already complete never waits, and only connections that
		// do wait count against the limits.
		advance(pending);
		enforceLimits(pending);
	}
}

void HttpGate::enforceLimits(Pending& pending)
{
	if (pending.closed) return;
	const bool overall = _pendingCount > _settings.maxPending;
	const bool perPeer = !pending.trustedPeer && _perPeer[pending.peer] > _settings.maxPendingPerIp;
	if (!overall && !perPeer) return;
	// An idle keep-alive connection just ends, as at its timeout.
	if (pending.stage == Stage::Idle)
	{
		drop(pending);
		return;
	}
	// A new connection takes the place of the oldest idle keep-alive one
	// (of its own address, when that is the limit it hit): a browser keeps
	// up to six open after loading a page's scripts, and a few people behind
	// one address would otherwise be refused while those sit idle. Idle ones
	// end as at their timeout; only without any is the newcomer refused.
	if (Pending* idle = oldestIdle(perPeer ? &pending.peer : nullptr))
	{
		drop(*idle);
		return;
	}
	count(overall ? Refusal::PendingLimit : Refusal::PendingPerIp);
	drop(pending);
}

HttpGate::Pending* HttpGate::oldestIdle(const std::string* peer)
{
	if (peer ? _idlePerPeer.count(*peer) == 0 : _idleCount == 0) return nullptr;
	// Idle ones wait keep_alive_timeout_ms from when they became idle: the
	// earliest deadline among them is the oldest. One is there (counted),
	// so the walk ends at it.
	for (const auto& [deadline, candidate] : _deadlines)
		if (candidate->stage == Stage::Idle && (!peer || candidate->peer == *peer)) return candidate;
	return nullptr;
}

void HttpGate::setStage(Pending& pending, Stage stage)
{
	if (pending.stage == stage) return;
	if (pending.stage == Stage::Idle) forgetIdle(pending);
	pending.stage = stage;
	if (stage == Stage::Idle)
	{
		++_idlePerPeer[pending.peer];
		++_idleCount;
	}
}

void HttpGate::forgetIdle(const Pending& pending)
{
	const auto peer = _idlePerPeer.find(pending.peer);
	if (peer != _idlePerPeer.end() && --peer->second == 0) _idlePerPeer.erase(peer);
	--_idleCount;
}

void HttpGate::processInbox()
{
	_wakeup.drain();
	std::vector<Admitted> back;
	{
		std::lock_guard<std::mutex> lock(_inboxMutex);
		back.swap(_inbox);
	}
	for (auto& connection : back)
	{
		if (connection.requests >= _settings.keepAliveRequests && !connection.closeAfterSkip)
		{
			// Its keep-alive requests are used up. A body still coming is
			// read and dropped first, as linger() does: closing with it
			// unread would reset the connection, and the client could lose
			// the response.
			if (connection.skip == 0)
			{
				closeConnection(connection.fd, connection.ssl);
				continue;
			}
			if (!connection.ssl) platform::shutdownSending(connection.fd);
			connection.closeAfterSkip = true;
		}
		setBlocking(connection.fd, false);
		Pending& pending = track(connection.fd, connection.ssl, Stage::Idle, peerOf(connection.fd), connection.requests, _settings.keepAliveTimeoutMs);
		pending.skip = connection.skip;
		pending.closeAfterSkip = connection.closeAfterSkip;
		watch(pending, platform::Poller::Read);
		// The next request may be here already (pipelined: in the socket,
		// or in OpenSSL's buffer).
		advance(pending);
		enforceLimits(pending);
	}
}

HttpGate::Pending& HttpGate::track(platform::SocketHandle fd, ssl_st* ssl, Stage stage, const Poco::Net::IPAddress& peer, int requests, std::int64_t timeoutMs)
{
	auto owned = std::make_unique<Pending>();
	Pending& pending = *owned;
	pending.fd = fd;
	pending.ssl = ssl;
	pending.peerAddress = peer;
	pending.peer = addressKey(peer);
	setStage(pending, stage);
	pending.trustedPeer = _settings.trustedProxies.contains(peer);
	pending.requests = requests;
	_pending.emplace(&pending, std::move(owned));
	++_perPeer[pending.peer];
	++_pendingCount;
	setDeadline(pending, timeoutMs);
	return pending;
}

void HttpGate::setDeadline(Pending& pending, std::int64_t timeoutMs)
{
	_deadlines.erase({pending.deadline, &pending});
	pending.deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
	_deadlines.emplace(pending.deadline, &pending);
}

void HttpGate::watch(Pending& pending, int interest)
{
	if (pending.interest == interest) return;
	if (pending.interest == 0) _poller->add(pending.fd, interest, &pending);
	else _poller->modify(pending.fd, interest, &pending);
	pending.interest = interest;
}

void HttpGate::advance(Pending& pending)
{
	if (pending.stage == Stage::Handshake)
	{
		ERR_clear_error();
		const int rc = SSL_do_handshake(pending.ssl);
		if (rc != 1)
		{
			const int error = SSL_get_error(pending.ssl, rc);
			if (error == SSL_ERROR_WANT_READ) watch(pending, platform::Poller::Read);
			else if (error == SSL_ERROR_WANT_WRITE) watch(pending, platform::Poller::Write);
			else
			{
				ERR_clear_error();
				count(Refusal::TlsHandshake);
				drop(pending);
			}
			return;
		}
		setStage(pending, Stage::Head);
		watch(pending, platform::Poller::Read);
	}
	if (pending.stage == Stage::Idle)
	{
		while (pending.skip > 0)
		{
			const int n = peek(pending, _buffer.data(), static_cast<int>(std::min<std::uint64_t>(pending.skip, _buffer.size())));
			if (n == -2) return;
			if (n <= 0 || consume(pending, _buffer.data(), n) != n)
			{
				drop(pending);
				return;
			}
			pending.skip -= static_cast<std::uint64_t>(n);
		}
		if (pending.closeAfterSkip)
		{
			drop(pending);
			return;
		}
		char first = 0;
		const int n = peek(pending, &first, 1);
		if (n == -2) return;
		if (n <= 0)
		{
			drop(pending);
			return;
		}
		// The next request has begun: its head gets header_timeout_ms.
		setStage(pending, Stage::Head);
		setDeadline(pending, _settings.headerTimeoutMs);
	}
	readHead(pending);
}

int HttpGate::peek(Pending& pending, char* buffer, int length)
{
	if (!pending.ssl)
	{
		std::size_t n = 0;
		switch (platform::peek(pending.fd, buffer, static_cast<std::size_t>(length), n))
		{
		case platform::IoStatus::Progress: return static_cast<int>(n);
		case platform::IoStatus::WouldBlock:
		case platform::IoStatus::Interrupted: return -2;
		case platform::IoStatus::EndOfStream: return 0;
		case platform::IoStatus::Failed: break;
		}
		return -1;
	}
	ERR_clear_error();
	const int n = SSL_peek(pending.ssl, buffer, length);
	if (n > 0) return n;
	const int error = SSL_get_error(pending.ssl, n);
	ERR_clear_error();
	if (error == SSL_ERROR_WANT_READ) return -2;
	if (error == SSL_ERROR_WANT_WRITE)
	{
		watch(pending, platform::Poller::Write);
		return -2;
	}
	return error == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

int HttpGate::consume(Pending& pending, char* buffer, int length)
{
	// Bytes just peeked: reading them cannot block or come up short.
	if (!pending.ssl)
	{
		std::size_t n = 0;
		const platform::IoStatus status = platform::receive(pending.fd, buffer, static_cast<std::size_t>(length), n);
		return status == platform::IoStatus::Progress ? static_cast<int>(n) : status == platform::IoStatus::EndOfStream ? 0 : -1;
	}
	ERR_clear_error();
	const int n = SSL_read(pending.ssl, buffer, length);
	ERR_clear_error();
	return n;
}

void HttpGate::readHead(Pending& pending)
{
	for (;;)
	{
		const std::size_t room = _settings.maxHeadBytes + 1 - std::min(pending.head.size(), _settings.maxHeadBytes);
		const int n = peek(pending, _buffer.data(), static_cast<int>(room));
		if (n == -2)
		{
			if (!pending.ssl || pending.interest != platform::Poller::Write) watch(pending, platform::Poller::Read);
			return;
		}
		if (n <= 0)
		{
			// Gone (or an error) before a whole head: nothing to answer.
			drop(pending);
			return;
		}
		// What is consumed so far answered Incomplete; find() goes on from
		// there in it and the bytes just peeked.
		const std::size_t before = pending.head.size();
		pending.head.append(_buffer.data(), static_cast<std::size_t>(n));
		const HeadBoundary boundary = RequestHead::find(pending.head.data(), pending.head.size(), headLimits(), before);
		if (boundary.status == HeadBoundary::Status::Refused)
		{
			refuse(pending, boundary.error);
			return;
		}
		const bool whole = boundary.status == HeadBoundary::Status::Complete;
		const std::size_t take = whole ? boundary.length - before : static_cast<std::size_t>(n);
		pending.head.resize(before + take);
		if (consume(pending, _buffer.data(), static_cast<int>(take)) != static_cast<int>(take))
		{
			drop(pending);
			return;
		}
		if (whole)
		{
			complete(pending);
			return;
		}
		watch(pending, platform::Poller::Read);
		// Plaintext: peeking again now would see nothing new. TLS: a record
		// may have held more than one read's worth.
		if (!pending.ssl || SSL_pending(pending.ssl) == 0) return;
	}
}

HeadLimits HttpGate::headLimits() const
{
	HeadLimits limits;
	limits.maxHeadBytes = _settings.maxHeadBytes;
	return limits;
}

void HttpGate::complete(Pending& pending)
{
	// Strictly, before POCO's lenient parser and any handler see it: what
	// is refused here cannot mean one thing to a proxy in front and another
	// to us, and only a valid Host is ever reflected (CSP, config JSON).
	const HeadParse parsed = RequestHead::parse(pending.head, headLimits());
	if (!parsed.ok())
	{
		refuse(pending, parsed.error());
		return;
	}
	const RequestHead& head = parsed.head();
	// POCO reads exactly Content-Length bytes of body; a chunked body would
	// have no such bound.
	if (head.chunked())
	{
		refuse(pending, Refusal::BodyNotAccepted, 411, "a body needs a Content-Length here");
		return;
	}
	const std::uint64_t body = head.contentLength().value_or(0);
	if (body > _settings.maxBodyBytes)
	{
		refuse(pending, Refusal::BodyNotAccepted, 413, "the body is longer than this server takes");
		return;
	}
	Admitted admitted;
	// Before the head moves: head's views point into it.
	if (pending.trustedPeer) admitted.client = _settings.trustedProxies.client(head, pending.peerAddress);
	admitted.fd = pending.fd;
	admitted.ssl = pending.ssl;
	admitted.head = std::move(pending.head);
	admitted.bodyBytes = body;
	admitted.requests = pending.requests;
	admitted.lastRequest = pending.requests + 1 >= _settings.keepAliveRequests;
	_poller->remove(pending.fd);
	setBlocking(pending.fd, true);
	pending.fd = platform::invalidSocket;
	pending.ssl = nullptr;
	drop(pending);
	{
		std::lock_guard<std::mutex> lock(_readyMutex);
		_ready.push_back(std::move(admitted));
	}
	_readyWakeup.signal();
}

void HttpGate::refuse(Pending& pending, HeadError error)
{
	refuse(pending, error == HeadError::HeadTooLarge || error == HeadError::TooManyHeaders ? Refusal::HeadTooLarge : Refusal::BadRequest,
		httpStatus(error), reasonOf(error));
}

void HttpGate::refuse(Pending& pending, Refusal refusal, int status, const char* detail)
{
	count(refusal);
	const std::string reason = Poco::Net::HTTPResponse::getReasonForStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
	const std::string text = std::to_string(status) + " " + reason + ": " + detail + "\n";
	const std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reason +
		"\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(text.size()) +
		"\r\nX-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'"
		"\r\nConnection: close\r\n\r\n" + text;
	// Best effort, without waiting: a client that does not read its refusal
	// does not get it.
	if (pending.ssl)
	{
		ERR_clear_error();
		SSL_write(pending.ssl, response.data(), static_cast<int>(response.size()));
		ERR_clear_error();
	}
	else
	{
		platform::IoBuffer buffer;
		platform::setBuffer(buffer, response.data(), response.size());
		std::size_t sent = 0;
		[[maybe_unused]] const auto status = platform::sendBuffers(pending.fd, &buffer, 1, sent);
	}
	platform::shutdownSending(pending.fd);
	drop(pending);
}

void HttpGate::drop(Pending& pending)
{
	if (pending.closed) return;
	pending.closed = true;
	if (pending.fd != platform::invalidSocket && pending.interest != 0) _poller->remove(pending.fd);
	closeConnection(pending.fd, pending.ssl);
	pending.fd = platform::invalidSocket;
	pending.ssl = nullptr;
	_deadlines.erase({pending.deadline, &pending});
	if (pending.stage == Stage::Idle) forgetIdle(pending);
	_closed.push_back(&pending);
	auto peer = _perPeer.find(pending.peer);
	if (peer != _perPeer.end() && --peer->second == 0) _perPeer.erase(peer);
	--_pendingCount;
}

void HttpGate::expire()
{
	const auto now = Clock::now();
	while (!_deadlines.empty() && _deadlines.begin()->first <= now)
	{
		Pending& pending = *_deadlines.begin()->second;
		// An idle keep-alive connection just ends; a head that is late
		// is a client holding the server up.
		if (pending.stage != Stage::Idle) count(Refusal::HeaderTimeout);
		drop(pending);
	}
}

void HttpGate::count(Refusal refusal)
{
	_refused[static_cast<std::size_t>(refusal)].fetch_add(1, std::memory_order_relaxed);
}

const char* HttpGate::reasonLabel(Refusal refusal)
{
	switch (refusal)
	{
	case Refusal::HeaderTimeout: return "header_timeout";
	case Refusal::PendingLimit: return "max_pending";
	case Refusal::PendingPerIp: return "max_pending_per_ip";
	case Refusal::BadRequest: return "bad_request";
	case Refusal::HeadTooLarge: return "head_too_large";
	case Refusal::BodyNotAccepted: return "body_not_accepted";
	case Refusal::TlsHandshake: return "tls_handshake";
	case Refusal::Count: break;
	}
	return "other";
}

void HttpGate::writeMetrics(MetricsWriter& writer) const
{
	writer.gauge("webchat_http_pending_connections", "Connections waiting for their request head (or idle between keep-alive requests).", {},
		static_cast<double>(_pendingCount.load(std::memory_order_relaxed)));
	for (std::size_t i = 0; i < static_cast<std::size_t>(Refusal::Count); ++i)
	{
		writer.counter("webchat_http_connections_refused_total", "Connections closed before completing a request, by reason.",
			{{"reason", reasonLabel(static_cast<Refusal>(i))}}, static_cast<double>(_refused[i].load(std::memory_order_relaxed)));
	}
}

} // namespace webchat
