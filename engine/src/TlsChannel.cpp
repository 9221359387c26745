#include "TlsChannel.h"

#include "webchat/platform/Socket.h"

#include "Poco/Error.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <climits>

namespace webchat::engine {

void TlsSessionFree::operator()(ssl_st* ssl) const noexcept
{
	SSL_free(ssl);
}

namespace {

int clampToInt(std::size_t size)
{
	return size > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(size);
}

} // namespace

TlsChannel::TlsChannel(TlsSession session):
	_session(std::move(session))
{
	// A write cut short by a full socket is retried from this object's own
	// backlog, not from the caller's buffer: allow the move, and let each
	// SSL_write report the records it did send.
	// RELEASE_BUFFERS: an idle connection gives its read and write record
	// buffers (~34 KB) back between records; chat clients are idle most of
	// the time.
	SSL_set_mode(_session.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	// Refuses a TLS 1.2 client's renegotiation (the host's context does too).
	SSL_set_options(_session.get(), SSL_OP_NO_RENEGOTIATION);
}

TlsChannel::Result TlsChannel::read(char* buffer, std::size_t size, std::size_t& n)
{
	n = 0;
	if (_failed) return Result::Failed;
	ERR_clear_error();
	const int rc = SSL_read(_session.get(), buffer, clampToInt(size));
	if (rc > 0)
	{
		_readWantsWritable = false;
		n = static_cast<std::size_t>(rc);
		return Result::Progress;
	}
	return failure(rc, true);
}

TlsChannel::Result TlsChannel::write(const char* data, std::size_t size)
{
	if (_failed) return Result::Failed;
	std::size_t written = 0;
	const Result result = writeSome(data, size, written);
	if (result == Result::WouldBlock)
	{
		_backlog.assign(data + written, size - written);
		_backlogOffset = 0;
	}
	return result;
}

TlsChannel::Result TlsChannel::writeBacklog()
{
	if (_failed) return Result::Failed;
	if (backlog() == 0) return Result::Progress;
	std::size_t written = 0;
	const Result result = writeSome(_backlog.data() + _backlogOffset, backlog(), written);
	_backlogOffset += written;
	if (backlog() == 0)
	{
		// Idle connections keep no buffer.
		std::string().swap(_backlog);
		_backlogOffset = 0;
	}
	return result;
}

TlsChannel::Result TlsChannel::writeSome(const char* data, std::size_t size, std::size_t& written)
{
	written = 0;
	while (written < size)
	{
		ERR_clear_error();
		const int rc = SSL_write(_session.get(), data + written, clampToInt(size - written));
		if (rc <= 0) return failure(rc, false);
		_writeWantsReadable = false;
		written += static_cast<std::size_t>(rc);
	}
	return Result::Progress;
}

TlsChannel::Result TlsChannel::failure(int rc, bool reading)
{
	// The socket BIO's error: errno, or WSAGetLastError() on Windows.
	const int savedErrno = platform::lastSocketError();
	const int error = SSL_get_error(_session.get(), rc);
	switch (error)
	{
	case SSL_ERROR_WANT_READ:
		if (reading) _readWantsWritable = false; else _writeWantsReadable = true;
		return Result::WouldBlock;
	case SSL_ERROR_WANT_WRITE:
		if (reading) _readWantsWritable = true; else _writeWantsReadable = false;
		return Result::WouldBlock;
	case SSL_ERROR_ZERO_RETURN:
		// close_notify: the peer is done; ours may still be sent.
		return reading ? Result::EndOfStream : Result::Failed;
	case SSL_ERROR_SYSCALL:
		_failed = true;
		_lastError = savedErrno != 0 ? Poco::Error::getMessage(savedErrno) : "connection closed";
		ERR_clear_error();
		return reading && savedErrno == 0 ? Result::EndOfStream : Result::Failed;
	default:
	{
		_failed = true;
		char text[256];
		ERR_error_string_n(ERR_get_error(), text, sizeof(text));
		_lastError = text;
		ERR_clear_error();
		return Result::Failed;
	}
	}
}

bool TlsChannel::hasPending() const
{
	return SSL_pending(_session.get()) > 0;
}

void TlsChannel::shutdown()
{
	if (_failed) return;
	ERR_clear_error();
	SSL_shutdown(_session.get());
	ERR_clear_error();
	_failed = true; // nothing more goes through this session
}

} // namespace webchat::engine
