#include "webchat/engine/Connection.h"

#include "EventLoop.h"
#include "TlsChannel.h"

#include "webchat/engine/Topic.h"

#include <algorithm>
#include <cstring>

namespace webchat::engine {

LoopMember& Connection::create(EventLoop& loop, platform::SocketHandle fd, std::unique_ptr<Session> session, const std::string& peerAddress, TlsSession tls,
	bool perMessageDeflate)
{
	return *new Connection(loop, fd, std::move(session), peerAddress, std::move(tls), perMessageDeflate);
}

Connection::Connection(EventLoop& loop, platform::SocketHandle fd, std::unique_ptr<Session> session, const std::string& peerAddress, TlsSession tls, bool perMessageDeflate):
	LoopMember(perMessageDeflate),
	_loop(loop),
	_session(std::move(session)),
	_peerAddress(&peerAddress),
	_decoder(ws::MessageDecoder::Role::Server, ws::MessageDecoder::Limits{loop.settings().maxMessageBytes}, *this,
		perMessageDeflate ? ws::MessageDecoder::Compression::PerMessageDeflate : ws::MessageDecoder::Compression::None),
	_tls(tls ? std::make_unique<TlsChannel>(std::move(tls)) : nullptr),
	_lastHeard(stamp()),
	_fd(fd),
	_closeSent(false),
	_closeAfterFlush(false),
	_pollingWrite(false),
	_readPaused(false),
	_closeDue(false),
	_pingOutstanding(false),
	_stalled(false)
{
}

Stamp Connection::stamp() const
{
	return stampOf(_loop.now());
}

std::int64_t Connection::since(Stamp stamp) const
{
	return msSince(stamp, _loop.now());
}

ConnectionHandle Connection::handle() const
{
	return ConnectionHandle(_loop, *this, serial, loopSlot);
}

void Connection::start(std::string response, std::string pending, bool stopping)
{
	queueRaw(std::move(response));
	if (stopping)
	{
		close(ws::CloseCode::GoingAway, "server shutting down");
		return;
	}
	// Its first check: a ping once it has been silent for the interval.
	checkBy();
	_loop.engine().handler().onOpen(*this);
	if (!pending.empty() && isOpen()) feed(pending.data(), pending.size());
	// OpenSSL may already hold decrypted frames the socket will not signal.
	if (isTls() && isOpen()) onReadable();
}

void Connection::drop(std::uint16_t code)
{
	leaveOpen(code);
	closeSocket();
}

void Connection::setDeadline(std::int64_t atMs)
{
	_deadlineMs = atMs;
	if (state == State::Open) checkBy();
}

Connection::~Connection()
{
	// Closed connections have left their topic; one deleted open (a loop
	// that never ran) leaves it here.
	unsubscribe();
	out.clear(_loop.chunks());
	if (_fd != platform::invalidSocket) platform::closeSocket(_fd);
	_loop.engine().forgetPeer(*_peerAddress);
}

void Connection::subscribe(Topic& topic, const std::function<void(std::string& batch)>& atomically)
{
	if (state != State::Open) return;
	unsubscribe();
	topic.add(*this, _loop.index(), atomically);
	_topic = &topic;
	// atomically must not close this connection; if it did, it is already
	// past onClose and must not stay subscribed.
	if (state != State::Open) unsubscribe();
}

void Connection::unsubscribe()
{
	if (!_topic) return;
	Topic* const topic = _topic;
	_topic = nullptr;
	// May be the topic's end (the last reference was its subscribers').
	topic->remove(_loop.index(), topicSlot);
}

void Connection::send(ws::Opcode opcode, std::string_view payload)
{
	if (state != State::Open) return;
	Chunk* chunk = _loop.chunks().acquire();
	if (compresses())
		ws::appendMessageFrame(chunk->owned, opcode, payload, _loop.deflater(), _loop.settings().compressionMinBytes);
	else
		ws::appendFrame(chunk->owned, opcode, payload);
	++chunk->refs; // ours until deliver() has queued or refused it
	deliver(chunk);
	_loop.chunks().unref(chunk);
}

void Connection::close(std::uint16_t code, std::string_view reason)
{
	if (state != State::Open) return;
	leaveOpen(code);
	sendClose(code, reason);
}

void Connection::feed(char* data, std::size_t size)
{
	const auto error = _decoder.feed(data, size);
	if (error)
	{
		// The error is sticky: later reads (TLS reads on in a loop) report it
		// again, and it is acted on once.
		if (_closeDue || state == State::Closed) return;
		if (state == State::Open)
		{
			_loop.counters().addProtocolError(error.closeCode);
			if (_loop.engine().logger().debug())
				_loop.engine().logger().debug("closing " + *_peerAddress + " with " + std::to_string(error.closeCode) + ": " + error.reason);
		}
		_closeDue = true;
		_loop.scheduleClose(*this, error.closeCode, error.reason);
		return;
	}
	if (_decoder.hasPartialFrame() || _decoder.hasPartialMessage())
	{
		if (!_stalled)
		{
			_stalled = true;
			_stalledSince = stamp();
			checkBy();
		}
	}
	else
	{
		_stalled = false;
	}
	// Released at the next tick once idle (checkTimeouts).
	if (compresses() && _decoder.holdsInflateState()) checkBy();
}

void Connection::finishClose(std::uint16_t code, std::string_view reason)
{
	if (state == State::Closed) return;
	leaveOpen(code);
	// A close the peer sent is echoed with its code; a protocol error gets
	// its own code and reason.
	if (!_closeSent) sendClose(code, reason);
	// The peer closed or broke the protocol: nothing it sends is worth
	// waiting for. Also when our own close was already written: the
	// handshake is done. The server closes the TCP connection first
	// (RFC 6455 7.1.1), once the queue is written.
	_closeAfterFlush = true;
	_loop.scheduleFlush(*this);
}

void Connection::onReadable()
{
	if (_tls)
	{
		readTls();
		return;
	}
	std::size_t n = 0;
	const platform::IoStatus status = platform::receive(_fd, _loop.readBuffer(), readLimit(), n);
	if (status == platform::IoStatus::Progress)
	{
		heardFrom();
		EventLoop::Counters::add(_loop.counters().bytesIn, static_cast<std::uint64_t>(n));
		feed(_loop.readBuffer(), n);
		return;
	}
	// Level-triggered: whatever is left signals again.
	if (status == platform::IoStatus::WouldBlock || status == platform::IoStatus::Interrupted) return;
	// End of stream or a socket error: there is no one left to talk to.
	leaveOpen(ws::CloseCode::Abnormal);
	closeSocket();
}

void Connection::onWritable()
{
	flush();
	// A read that needed to send first (OpenSSL owed the peer a record).
	if (_tls && _tls->readWantsWritable() && state != State::Closed) readTls();
}

void Connection::flush()
{
	if (_tls)
	{
		flushTls();
		throttleReading();
		return;
	}
	constexpr int maxBuffers = 64;
	platform::IoBuffer buffers[maxBuffers];
	while (!out.empty())
	{
		const int count = out.gather(buffers, maxBuffers);
		std::size_t n = 0;
		const platform::IoStatus status = platform::sendBuffers(_fd, buffers, count, n);
		if (status != platform::IoStatus::Progress)
		{
			if (status == platform::IoStatus::WouldBlock)
			{
				watchWritable(true);
				throttleReading();
				return;
			}
			if (status == platform::IoStatus::Interrupted) continue;
			leaveOpen(ws::CloseCode::Abnormal);
			closeSocket();
			return;
		}
		EventLoop::Counters::add(_loop.counters().bytesOut, static_cast<std::uint64_t>(n));
		out.consume(n, _loop.chunks());
		// A throttled peer that takes bytes is alive, though not read.
		if (_readPaused) _lastHeard = stamp();
	}
	watchWritable(false);
	if (_closeAfterFlush)
		closeSocket();
	else
		throttleReading();
}

bool Connection::nothingToWrite() const
{
	return out.empty() && (!_tls || _tls->backlog() == 0);
}

void Connection::watchWritable(bool on)
{
	if (_pollingWrite == on) return;
	_pollingWrite = on;
	updateInterest();
}

void Connection::updateInterest()
{
	// The loop's tag for its members' events.
	LoopMember* const tag = this;
	_loop.poller().modify(_fd, (_readPaused ? 0 : Poller::Read) | (_pollingWrite ? Poller::Write : 0), tag);
}

std::size_t Connection::readLimit() const
{
	return std::min(_loop.readBufferSize(), std::max<std::size_t>(_loop.settings().maxQueuedBytes / 4, 1));
}

void Connection::throttleReading()
{
	if (state == State::Closed) return;
	const std::size_t owed = out.bytes() + (_tls ? _tls->backlog() : 0);
	const std::size_t cap = _loop.settings().maxQueuedBytes;
	if (!_readPaused && owed > cap / 2)
	{
		_readPaused = true;
		_lastHeard = stamp();
		updateInterest();
		checkBy();
	}
	else if (_readPaused && owed < cap / 4)
	{
		_readPaused = false;
		_lastHeard = stamp();
		// A frame left half-read while throttled had no chance to finish.
		if (_stalled) _stalledSince = stamp();
		updateInterest();
		checkBy();
	}
}

void Connection::readTls()
{
	// Up to readLimit() per event, as plaintext reads; what is left
	// on the socket signals again. OpenSSL may hold decrypted bytes the
	// socket will not signal, so those are always taken.
	std::size_t total = 0;
	// Throttled (a hang-up or error woke it), it reads only those.
	while (state != State::Closed && ((total < readLimit() && !_readPaused) || _tls->hasPending()))
	{
		std::size_t n = 0;
		const TlsChannel::Result result = _tls->read(_loop.readBuffer(), _loop.readBufferSize(), n);
		if (result == TlsChannel::Result::Progress)
		{
			total += n;
			heardFrom();
			EventLoop::Counters::add(_loop.counters().bytesIn, static_cast<std::uint64_t>(n));
			feed(_loop.readBuffer(), n);
			continue;
		}
		if (result == TlsChannel::Result::WouldBlock)
		{
			if (_tls->readWantsWritable()) watchWritable(true);
			break;
		}
		failTls(result == TlsChannel::Result::EndOfStream ? nullptr : "read");
		return;
	}
	// A write that needed the peer's record first.
	if (state != State::Closed && _tls->writeWantsReadable()) flushTls();
}

void Connection::flushTls()
{
	TlsChannel::Result result = _tls->writeBacklog();
	// One copy per flush: the corked chunks into the loop's buffer, then
	// through SSL_write, which needs contiguous bytes.
	char* const buffer = _loop.tlsWriteBuffer();
	const std::size_t capacity = _loop.tlsWriteBufferSize();
	constexpr int maxBuffers = 64;
	platform::IoBuffer buffers[maxBuffers];
	while (result == TlsChannel::Result::Progress && !out.empty())
	{
		const int count = out.gather(buffers, maxBuffers);
		std::size_t size = 0;
		for (int i = 0; i < count && size < capacity; ++i)
		{
			const std::size_t take = std::min(platform::bufferSize(buffers[i]), capacity - size);
			std::memcpy(buffer + size, platform::bufferData(buffers[i]), take);
			size += take;
		}
		out.consume(size, _loop.chunks());
		EventLoop::Counters::add(_loop.counters().bytesOut, static_cast<std::uint64_t>(size));
		result = _tls->write(buffer, size);
	}
	if (result == TlsChannel::Result::WouldBlock)
	{
		// Unless OpenSSL waits for the peer's record: readable comes anyway.
		watchWritable(!_tls->writeWantsReadable());
		return;
	}
	if (result != TlsChannel::Result::Progress)
	{
		failTls("write");
		return;
	}
	if (_readPaused) _lastHeard = stamp();
	watchWritable(false);
	if (_closeAfterFlush) closeSocket();
}

void Connection::failTls(const char* what)
{
	if (what && _loop.engine().logger().debug())
		_loop.engine().logger().debug("TLS " + std::string(what) + " failed for " + *_peerAddress + ": " + _tls->lastError());
	leaveOpen(ws::CloseCode::Abnormal);
	closeSocket();
}

void Connection::deliver(Chunk* chunk)
{
	const std::size_t cap = _loop.settings().maxQueuedBytes;
	if (!queueWithin(chunk, cap))
	{
		// Nothing but the close handshake follows a close.
		if (state != State::Open) return;
		// What the kernel takes now is not owed: a loop handed many batches
		// at once (it was not scheduled for a while) has not written yet.
		flush();
		if (state != State::Open) return;
		if (!queueWithin(chunk, cap))
		{
			// A slow consumer: the room never waits for it. Drop what it has
			// not started to receive, so memory stays bounded, and close it.
			EventLoop::Counters::add(_loop.counters().slowConsumers, 1);
			_loop.engine().logger().notice("closing slow consumer " + *_peerAddress + ": more than " + std::to_string(cap) + " bytes queued");
			out.dropUnstarted(_loop.chunks());
			close(ws::CloseCode::PolicyViolation, "slow consumer");
			return;
		}
	}
	_loop.scheduleFlush(*this);
}

void Connection::sendControl(ws::Opcode opcode, std::string_view payload)
{
	std::string frame;
	ws::appendFrame(frame, opcode, payload);
	queueRaw(std::move(frame));
}

void Connection::queueRaw(std::string bytes)
{
	// An empty chunk would never be written off the queue (a write of no
	// bytes consumes nothing): there is nothing to send.
	if (bytes.empty()) return;
	Chunk* chunk = _loop.chunks().acquire();
	chunk->owned = std::move(bytes);
	out.push(chunk);
	_loop.scheduleFlush(*this);
}

void Connection::leaveOpen(std::uint16_t code)
{
	if (state != State::Open) return;
	state = State::Closing;
	_closingSince = stamp();
	checkBy();
	unsubscribe();
	_loop.engine().handler().onClose(*this, code);
}

void Connection::sendClose(std::uint16_t code, std::string_view reason)
{
	if (_closeSent || state == State::Closed) return;
	_closeSent = true;
	const bool hasCode = code != ws::CloseCode::NoStatus && code != ws::CloseCode::Abnormal;
	sendControl(ws::Opcode::Close, hasCode ? ws::closePayload(code, reason) : std::string());
}

void Connection::closeSocket(bool abort)
{
	if (state == State::Closed) return;
	state = State::Closed;
	_decoder.stop();
	_loop.poller().remove(_fd);
	if (abort)
		platform::setAbortiveClose(_fd);
	else if (_tls)
		_tls->shutdown();
	platform::closeSocket(_fd);
	_fd = platform::invalidSocket;
	out.clear(_loop.chunks());
	_loop.closed(*this);
}

void Connection::onMessage(ws::Opcode opcode, std::string_view payload)
{
	if (state != State::Open) return;
	EventLoop::Counters::add(_loop.counters().messagesIn, 1);
	_loop.engine().handler().onMessage(*this, opcode, payload);
}

void Connection::onPing(std::string_view payload)
{
	if (!_closeSent) sendControl(ws::Opcode::Pong, payload);
}

void Connection::onPong(std::string_view)
{
	// The read that brought it has already said so (heardFrom).
}

void Connection::onClose(std::uint16_t code, std::string_view)
{
	_closeDue = true;
	_loop.scheduleClose(*this, code, {});
}

void Connection::heardFrom()
{
	_lastHeard = stamp();
	// The timer may be armed for the pong timeout, later than the next
	// ping is due now: once per ping answered, not per read.
	if (_pingOutstanding)
	{
		_pingOutstanding = false;
		checkBy();
	}
}

std::int64_t Connection::onTimer(std::int64_t nowMs)
{
	checkTimeouts(nowMs);
	return nextCheckMs();
}

std::int64_t Connection::nextCheckMs() const
{
	const EngineSettings& settings = _loop.settings();
	if (state == State::Closed) return 0;
	const std::int64_t now = _loop.now();
	if (state == State::Closing) return now - since(_closingSince) + settings.closeTimeoutMs;
	std::int64_t due;
	if (_readPaused)
	{
		due = now - since(_lastHeard) + settings.pingIntervalMs + settings.pongTimeoutMs;
	}
	else
	{
		due = _pingOutstanding ? now - since(_pingSent) + settings.pongTimeoutMs : now - since(_lastHeard) + settings.pingIntervalMs;
		if (_stalled) due = std::min(due, now - since(_stalledSince) + settings.frameTimeoutMs);
	}
	if (_deadlineMs != 0) due = std::min(due, _deadlineMs);
	if (_decoder.holdsInflateState()) due = std::min(due, now);
	return due;
}

void Connection::checkBy()
{
	_loop.checkBy(*this, nextCheckMs());
}

void Connection::checkTimeouts(std::int64_t now)
{
	const EngineSettings& settings = _loop.settings();
	if (state == State::Closing)
	{
		// The peer did not complete the close handshake (or did not read
		// our close frame) in time.
		if (since(_closingSince) >= settings.closeTimeoutMs) closeSocket(true);
		return;
	}
	if (state != State::Open) return;
	if (_deadlineMs != 0 && now >= _deadlineMs)
	{
		_deadlineMs = 0;
		_loop.engine().handler().onDeadline(*this);
		if (state != State::Open) return;
	}
	// The inflate state and a queue's heap array live while messages come
	// and go, not while idle.
	_decoder.releaseIdleMemory();
	out.releaseIdleMemory();
	if (_readPaused)
	{
		// Not read, so neither a stalled frame nor a missing pong can be
		// seen: alive while it takes what it is owed.
		if (since(_lastHeard) >= settings.pingIntervalMs + settings.pongTimeoutMs)
		{
			leaveOpen(ws::CloseCode::Abnormal);
			closeSocket(true);
		}
		return;
	}
	if (_stalled && since(_stalledSince) >= settings.frameTimeoutMs)
	{
		_loop.counters().addProtocolError(static_cast<std::uint16_t>(ws::CloseCode::PolicyViolation));
		close(ws::CloseCode::PolicyViolation, "incomplete frame timed out");
		_closeAfterFlush = true;
		return;
	}
	if (_pingOutstanding)
	{
		if (since(_pingSent) >= settings.pongTimeoutMs)
		{
			// Dead peer: no close handshake is possible.
			leaveOpen(ws::CloseCode::Abnormal);
			closeSocket(true);
		}
	}
	else if (since(_lastHeard) >= settings.pingIntervalMs)
	{
		_pingOutstanding = true;
		_pingSent = stamp();
		sendControl(ws::Opcode::Ping, {});
	}
}

} // namespace webchat::engine
