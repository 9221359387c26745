#include "ClientConnection.h"

#include "TlsClient.h"

#include <algorithm>
#include <cerrno>
#include <arpa/inet.h>
#include <climits>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

namespace webchat::bench {

ClientConnection::ClientConnection(LoadLoop& loop, ConnectionObserver& observer, std::size_t index):
	_loop(loop),
	_observer(observer),
	_index(index),
	// Any odd-free nonzero start will do: masking keys need not be secret
	// here, only varied, as a browser's would be.
	_maskState(0x9E3779B97F4A7C15ull ^ (index * 0xBF58476D1CE4E5B9ull) ^ nowNs())
{
	if (_maskState == 0) _maskState = 1;
}

ClientConnection::~ClientConnection()
{
	if (_ssl) ::SSL_free(_ssl);
	if (_fd >= 0) ::close(_fd);
}

const char* ClientConnection::endingName(Ending ending)
{
	switch (ending)
	{
	case Ending::None: return "open";
	case Ending::CloseFrame: return "close frame";
	case Ending::Eof: return "end of stream without close frame";
	case Ending::Reset: return "connection reset";
	case Ending::ConnectFailed: return "connect failed";
	case Ending::HandshakeFailed: return "handshake failed";
	case Ending::ProtocolError: return "protocol error";
	case Ending::Rejected: return "rejected by the benchmark";
	case Ending::TlsFailed: return "TLS failed";
	case Ending::Aborted: return "aborted by the benchmark";
	}
	return "?";
}

std::uint32_t ClientConnection::nextMaskKey()
{
	// xorshift64: cheap, and a fresh key per frame as RFC 6455 asks.
	_maskState ^= _maskState << 13;
	_maskState ^= _maskState >> 7;
	_maskState ^= _maskState << 17;
	return static_cast<std::uint32_t>(_maskState >> 16);
}

void ClientConnection::connect(const Endpoint& endpoint, std::size_t maxMessageBytes, const sockaddr_in* source)
{
	if (_state != State::New) return;
	_tls = endpoint.tls.get();
	_decoder = std::make_unique<ws::MessageDecoder>(ws::MessageDecoder::Role::Client,
		ws::MessageDecoder::Limits{maxMessageBytes}, static_cast<ws::MessageDecoder::Handler&>(*this),
		endpoint.deflate ? ws::MessageDecoder::Compression::PerMessageDeflate : ws::MessageDecoder::Compression::None);
	unsigned char key[16];
	for (std::size_t i = 0; i < sizeof key; i += 4)
	{
		const std::uint32_t word = nextMaskKey();
		std::memcpy(key + i, &word, 4);
	}
	_handshake = std::make_unique<UpgradeHandshake>(endpoint.hostHeader,
		_requestTarget.empty() ? endpoint.path : _requestTarget, key, endpoint.deflate);

	_fd = ::socket(endpoint.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (_fd < 0)
	{
		finish(Ending::ConnectFailed, std::string("socket: ") + std::strerror(errno));
		return;
	}
	if (source && ::bind(_fd, reinterpret_cast<const sockaddr*>(source), sizeof *source) != 0)
	{
		char name[INET_ADDRSTRLEN] = "?";
		::inet_ntop(AF_INET, &source->sin_addr, name, sizeof name);
		finish(Ending::ConnectFailed, std::string("bind to ") + name + ": " + std::strerror(errno));
		return;
	}
	if (_receiveBuffer > 0) ::setsockopt(_fd, SOL_SOCKET, SO_RCVBUF, &_receiveBuffer, sizeof _receiveBuffer);
	// Small frames must go out at once, not wait for Nagle.
	const int one = 1;
	::setsockopt(_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

	_state = State::Connecting;
	if (::connect(_fd, reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.addressLength) == 0)
	{
		onConnected();
		return;
	}
	if (errno != EINPROGRESS)
	{
		finish(Ending::ConnectFailed, std::string("connect: ") + std::strerror(errno));
		return;
	}
	updateInterest();
}

void ClientConnection::onConnected()
{
	if (_tls)
	{
		std::string error;
		_ssl = _tls->newSession(_fd, error);
		if (!_ssl)
		{
			finish(Ending::TlsFailed, error);
			return;
		}
		_state = State::Handshaking;
		_tlsHandshaking = true;
		continueTlsHandshake();
		return;
	}
	startUpgrade();
}

void ClientConnection::startUpgrade()
{
	_state = State::Handshaking;
	_out.append(_handshake->request());
	flush();
	if (_state == State::Handshaking) updateInterest();
}

void ClientConnection::onEvents(std::uint32_t events)
{
	if (_state == State::Closed) return;
	if (_state == State::Connecting)
	{
		int error = 0;
		socklen_t length = sizeof error;
		::getsockopt(_fd, SOL_SOCKET, SO_ERROR, &error, &length);
		if (error != 0)
			finish(Ending::ConnectFailed, std::string("connect: ") + std::strerror(error));
		else if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			onConnected();
		return;
	}
	if (_ssl)
	{
		onTlsEvents(events);
		return;
	}
	const bool trouble = (events & (EPOLLERR | EPOLLHUP)) != 0;
	if (_paused && trouble && !(events & EPOLLIN))
	{
		// Keep the evidence in the socket for resumeReading(), but stop
		// hearing about it: level-triggered ERR/HUP would spin the loop.
		_hungUpWhilePaused = true;
		_loop.forget(_fd);
		_registered = false;
		_interest = 0;
		return;
	}
	if ((events & EPOLLIN) || trouble) readSome();
	if (_state != State::Closed && (events & EPOLLOUT)) flush();
}

void ClientConnection::readSome()
{
	const ssize_t n = ::recv(_fd, _loop.scratch(), _loop.scratchSize(), 0);
	if (n > 0)
	{
		deliverRead(_loop.scratch(), static_cast<std::size_t>(n));
		return;
	}
	if (n == 0)
	{
		endOfStream();
		return;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
	finish(Ending::Reset, std::string("recv: ") + std::strerror(errno));
}

inline void ClientConnection::deliverRead(char* data, std::size_t size)
{
	_receivedAtNs = nowNs();
	if (_state == State::Handshaking)
		onHandshakeBytes(data, size);
	else
		feed(data, size);
}

void ClientConnection::endOfStream()
{
	if (_state == State::Handshaking)
		finish(Ending::HandshakeFailed, "connection closed before the response");
	else
		finish(_closeReceived ? Ending::CloseFrame : Ending::Eof, {});
}

// --- TLS (wss) -------------------------------------------------------------
// The same connection over OpenSSL on the same non-blocking socket: the
// handshake first (SSL_connect until it completes, waiting for whichever
// direction it asks for), then the upgrade request and frames through
// SSL_write, and what arrives through SSL_read. Either may need the other
// direction (WANT_READ on a write, WANT_WRITE on a read): the flags below
// remember that, and updateInterest() waits for the right event.

void ClientConnection::continueTlsHandshake()
{
	::ERR_clear_error();
	const int rc = ::SSL_connect(_ssl);
	if (rc == 1)
	{
		_tlsHandshaking = false;
		_tlsHandshakeWants = 0;
		_tls->established(_ssl);
		startUpgrade();
		return;
	}
	const int error = ::SSL_get_error(_ssl, rc);
	if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE)
	{
		_tlsHandshakeWants = error == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
		updateInterest();
		return;
	}
	finish(Ending::TlsFailed, "TLS handshake: " + TlsClientContext::errorText(_ssl, rc, error));
}

void ClientConnection::onTlsEvents(std::uint32_t events)
{
	if (_tlsHandshaking)
	{
		// An error or hang-up fails SSL_connect itself, with its reason.
		continueTlsHandshake();
		return;
	}
	const bool trouble = (events & (EPOLLERR | EPOLLHUP)) != 0;
	if (_paused && trouble && !(events & EPOLLIN) && !_writeWantsRead)
	{
		_hungUpWhilePaused = true;
		_loop.forget(_fd);
		_registered = false;
		_interest = 0;
		return;
	}
	if ((events & EPOLLIN) || trouble)
	{
		if (_writeWantsRead) tlsFlush();
		if (_state != State::Closed && (!_paused || trouble)) tlsReadSome();
	}
	if (_state != State::Closed && (events & EPOLLOUT))
	{
		if (_readWantsWrite) tlsReadSome();
		if (_state != State::Closed) tlsFlush();
	}
}

void ClientConnection::tlsReadSome()
{
	const bool wantedWrite = _readWantsWrite;
	_readWantsWrite = false;
	char* const buffer = _loop.scratch();
	const std::size_t size = std::min<std::size_t>(_loop.scratchSize(), INT_MAX);
	for (;;)
	{
		// Everything OpenSSL can decrypt from one read of the socket (read
		// ahead: one recv() per buffer, not two per record), into the scratch.
		std::size_t filled = 0;
		int rc = 0;
		int savedErrno = 0;
		do
		{
			::ERR_clear_error();
			rc = ::SSL_read(_ssl, buffer + filled, static_cast<int>(size - filled));
			if (rc <= 0)
			{
				savedErrno = errno;
				break;
			}
			filled += static_cast<std::size_t>(rc);
		} while (filled < size && ::SSL_has_pending(_ssl));
		const int error = rc <= 0 ? ::SSL_get_error(_ssl, rc) : SSL_ERROR_NONE;
		if (filled > 0)
		{
			deliverRead(buffer, filled);
			if (_state == State::Closed) return;
			// The rest stays in OpenSSL's buffer: resumeReading() reads it.
			if (_paused && error == SSL_ERROR_NONE) break;
		}
		if (rc > 0)
		{
			// Nothing buffered: level-triggered epoll says when the socket
			// has more. Bytes still buffered (the scratch was full): go on.
			if (::SSL_has_pending(_ssl)) continue;
			break;
		}
		switch (error)
		{
		case SSL_ERROR_WANT_READ:
			break;
		case SSL_ERROR_WANT_WRITE:
			_readWantsWrite = true;
			break;
		case SSL_ERROR_ZERO_RETURN:
			// close_notify: the server ended its side cleanly.
			_tlsCloseNotify = true;
			endOfStream();
			return;
		case SSL_ERROR_SYSCALL:
			if (rc < 0 && savedErrno != 0)
			{
				finish(Ending::Reset, std::string("recv: ") + std::strerror(savedErrno));
				return;
			}
			::ERR_clear_error();
			endOfStream();
			return;
		default:
			// OpenSSL 3 reports an end of stream without close_notify as an
			// error of its own: for the WebSocket layer it is just the end.
			if (ERR_GET_REASON(::ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			{
				::ERR_clear_error();
				endOfStream();
				return;
			}
			finish(Ending::TlsFailed, "SSL_read: " + TlsClientContext::errorText(_ssl, rc, error));
			return;
		}
		break;
	}
	if (wantedWrite != _readWantsWrite) updateInterest();
}

void ClientConnection::tlsFlush()
{
	if (_fd < 0 || _tlsHandshaking || _state == State::Connecting || _state == State::New || _state == State::Closed) return;
	_writeWantsRead = false;
	while (_outOffset < _out.size())
	{
		::ERR_clear_error();
		const std::size_t left = std::min<std::size_t>(_out.size() - _outOffset, INT_MAX);
		const int rc = ::SSL_write(_ssl, _out.data() + _outOffset, static_cast<int>(left));
		if (rc > 0)
		{
			_outOffset += static_cast<std::size_t>(rc);
			continue;
		}
		const int savedErrno = errno;
		const int error = ::SSL_get_error(_ssl, rc);
		if (error == SSL_ERROR_WANT_WRITE) break;
		if (error == SSL_ERROR_WANT_READ)
		{
			_writeWantsRead = true;
			break;
		}
		if (error == SSL_ERROR_SYSCALL && savedErrno != 0)
		{
			::ERR_clear_error();
			finish(Ending::Reset, std::string("send: ") + std::strerror(savedErrno));
			return;
		}
		finish(Ending::TlsFailed, "SSL_write: " + TlsClientContext::errorText(_ssl, rc, error));
		return;
	}
	// The bytes not yet taken are where SSL_write is retried with them
	// (the buffer may move: SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER).
	afterWrite();
}

void ClientConnection::onHandshakeBytes(const char* data, std::size_t size)
{
	const std::size_t before = _head.size();
	_head.append(data, size);
	// Search from just before the new bytes: the blank line may straddle reads.
	const std::size_t from = before > 3 ? before - 3 : 0;
	std::size_t end = UpgradeHandshake::headEnd(std::string_view(_head).substr(from));
	if (end == 0)
	{
		if (_head.size() > UpgradeHandshake::MaxResponseHead) finish(Ending::HandshakeFailed, "response head too large");
		return;
	}
	end += from;
	const std::string problem = _handshake->check(std::string_view(_head).substr(0, end));
	if (!problem.empty())
	{
		finish(Ending::HandshakeFailed, problem);
		return;
	}
	_state = State::Open;
	_wasOpened = true;
	_handshake.reset();
	std::string rest = _head.substr(end);
	_head = std::string();
	updateInterest();
	_observer.onOpen(*this);
	if (!_awaitGreeting && _state == State::Open) becomeReady();
	// Frames sent right behind the 101 arrived in the same read.
	if (!rest.empty() && _state != State::Closed) feed(rest.data(), rest.size());
}

void ClientConnection::becomeReady()
{
	_wasReady = true;
	_observer.onReady(*this);
}

void ClientConnection::markGreeted()
{
	if (_state == State::Open && !_wasReady) becomeReady();
}

void ClientConnection::feed(char* data, std::size_t size)
{
	const ws::MessageDecoder::Error error = _decoder->feed(data, size);
	if (error && _state != State::Closed)
	{
		queueControl(ws::Opcode::Close, ws::closePayload(error.closeCode, error.reason));
		flush();
		finish(Ending::ProtocolError, error.reason);
	}
}

void ClientConnection::onMessage(ws::Opcode opcode, std::string_view payload)
{
	++_messages;
	_observer.onMessage(*this, opcode, payload);
}

void ClientConnection::onPing(std::string_view payload)
{
	queueControl(ws::Opcode::Pong, payload);
	flush();
	++_pingsAnswered;
}

void ClientConnection::onPong(std::string_view)
{
}

void ClientConnection::onClose(std::uint16_t code, std::string_view)
{
	_closeReceived = true;
	_closeCode = code;
	_closeReceivedAtNs = _receivedAtNs;
	if (_state == State::Open)
	{
		// The server closes first: echo its code, then wait for it to end
		// the TCP connection (RFC 6455 7.1.1: the server closes first).
		_closedByServer = true;
		_state = State::Closing;
		queueControl(ws::Opcode::Close, ws::closePayload(code));
		flush();
	}
}

void ClientConnection::queueMessage(ws::Opcode opcode, std::string_view payload)
{
	ws::appendMaskedFrame(_out, opcode, payload, nextMaskKey());
}

void ClientConnection::queueControl(ws::Opcode opcode, std::string_view payload)
{
	ws::appendMaskedFrame(_out, opcode, payload.substr(0, ws::MaxControlPayload), nextMaskKey());
}

void ClientConnection::flush()
{
	if (_ssl)
	{
		tlsFlush();
		return;
	}
	if (_fd < 0 || _state == State::Connecting || _state == State::New) return;
	while (_outOffset < _out.size())
	{
		const ssize_t n = ::send(_fd, _out.data() + _outOffset, _out.size() - _outOffset, MSG_NOSIGNAL);
		if (n > 0)
		{
			_outOffset += static_cast<std::size_t>(n);
			continue;
		}
		if (n < 0 && errno == EINTR) continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
		finish(Ending::Reset, std::string("send: ") + std::strerror(errno));
		return;
	}
	afterWrite();
}

inline void ClientConnection::afterWrite()
{
	if (_outOffset == _out.size())
	{
		_out.clear();
		_outOffset = 0;
	}
	else if (_outOffset > 64 * 1024)
	{
		_out.erase(0, _outOffset);
		_outOffset = 0;
	}
	updateInterest();
}

void ClientConnection::pauseReading()
{
	_paused = true;
	updateInterest();
}

void ClientConnection::resumeReading()
{
	_paused = false;
	updateInterest();
	// Over TLS, what OpenSSL read ahead before the pause makes no socket
	// event: read it now.
	if (_ssl && !_tlsHandshaking && _state != State::Closed && ::SSL_has_pending(_ssl)) tlsReadSome();
}

void ClientConnection::close(std::uint16_t code)
{
	if (_state == State::Open)
	{
		_state = State::Closing;
		queueControl(ws::Opcode::Close, ws::closePayload(code));
		flush();
	}
	else if (_state == State::New || _state == State::Connecting || _state == State::Handshaking)
	{
		abort();
	}
}

void ClientConnection::abort()
{
	if (_state == State::Closed) return;
	if (_ssl)
	{
		// No close_notify: the WebSocket close handshake is the end here,
		// and an aborted connection just drops (as a reset would).
		::SSL_free(_ssl);
		_ssl = nullptr;
	}
	if (_fd >= 0)
	{
		if (_registered) _loop.forget(_fd);
		::close(_fd);
		_fd = -1;
	}
	_registered = false;
	_state = State::Closed;
	if (_ending == Ending::None) _ending = Ending::Aborted;
}

void ClientConnection::fail(std::string detail)
{
	if (_state == State::Closed) return;
	if (_state == State::Open)
	{
		queueControl(ws::Opcode::Close, ws::closePayload(ws::CloseCode::Normal));
		flush();
	}
	finish(Ending::Rejected, std::move(detail));
}

void ClientConnection::updateInterest()
{
	if (_fd < 0 || _state == State::Closed) return;
	std::uint32_t wanted = 0;
	if (_state == State::Connecting)
		wanted = EPOLLOUT;
	else if (!_ssl)
	{
		if (!_paused) wanted |= EPOLLIN;
		if (pendingOutput() > 0) wanted |= EPOLLOUT;
	}
	else if (_tlsHandshaking)
		wanted = _tlsHandshakeWants;
	else
	{
		// A write waiting for a read waits for EPOLLIN, not EPOLLOUT
		// (which would spin); a read waiting for a write, the other way.
		if (!_paused || _writeWantsRead) wanted |= EPOLLIN;
		if ((pendingOutput() > 0 && !_writeWantsRead) || _readWantsWrite) wanted |= EPOLLOUT;
	}
	if (_registered && wanted == _interest) return;
	if (!_registered)
	{
		_loop.watch(_fd, *this, wanted);
		_registered = true;
	}
	else
		_loop.change(_fd, *this, wanted);
	_interest = wanted;
}

void ClientConnection::finish(Ending ending, std::string detail)
{
	if (_state == State::Closed) return;
	_ending = ending;
	_detail = std::move(detail);
	_endedAtNs = nowNs();
	if (_decoder) _decoder->stop();
	abort();
	_ending = ending;
	_observer.onEnd(*this);
}

} // namespace webchat::bench
