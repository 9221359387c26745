//
// TlsChannel.h
//
// (Engine internals.) TLS on a connection's non-blocking socket: OpenSSL
// reads and writes the descriptor through its socket BIO, and every call
// returns at once, saying whether it made progress or what the socket must
// become (readable, writable) before the next try. A write that could not
// finish keeps its remaining bytes here, since OpenSSL expects the same
// bytes again.
//

#ifndef WEBCHAT_ENGINE_TLSCHANNEL_INCLUDED
#define WEBCHAT_ENGINE_TLSCHANNEL_INCLUDED

#include "webchat/engine/TlsSession.h"

#include <cstddef>
#include <string>

namespace webchat::engine {

class TlsChannel
{
public:
	enum class Result
	{
		Progress,    // bytes were read or written
		WouldBlock,  // try again when the socket is ready (see the wants*)
		EndOfStream, // the peer sent close_notify or closed the connection
		Failed       // a TLS or socket error (lastError()); no close_notify follows
	};

	explicit TlsChannel(TlsSession session);

	/// Decrypts into buffer; n is what was read on Progress.
	Result read(char* buffer, std::size_t size, std::size_t& n);

	/// Encrypts and sends data; call only with no backlog(). Progress: all
	/// sent. WouldBlock: all taken, what is not sent yet waits in
	/// backlog() for writeBacklog().
	Result write(const char* data, std::size_t size);

	/// Sends the remainder of an earlier write (Progress when none is left).
	Result writeBacklog();

	/// Bytes taken by write() but not yet sent.
	std::size_t backlog() const { return _backlog.size() - _backlogOffset; }

	/// After WouldBlock: the read needs the socket writable (OpenSSL owes
	/// the peer a record), or the write needs it readable.
	bool readWantsWritable() const { return _readWantsWritable; }
	bool writeWantsReadable() const { return _writeWantsReadable; }

	/// Decrypted bytes OpenSSL holds that the socket will not signal.
	bool hasPending() const;

	/// Sends close_notify if the session is still sound (best effort, does
	/// not wait for the peer's).
	void shutdown();

	const std::string& lastError() const { return _lastError; }

private:
	Result writeSome(const char* data, std::size_t size, std::size_t& written);
	Result failure(int rc, bool reading);

	TlsSession _session;
	std::string _backlog;
	std::size_t _backlogOffset = 0;
	bool _readWantsWritable = false;
	bool _writeWantsReadable = false;
	bool _failed = false;
	std::string _lastError;
};

} // namespace webchat::engine

#endif
