#include "GatedSocket.h"

#include "TlsStreamSocketImpl.h"

#include "Poco/Exception.h"
#include "Poco/Net/NetException.h"
#include "Poco/Net/ServerSocketImpl.h"

#include <algorithm>
#include <cstring>

namespace webchat {

namespace {

class GateServerSocketImpl final: public Poco::Net::ServerSocketImpl
{
public:
	GateServerSocketImpl(std::shared_ptr<HttpGate> gate, platform::SocketHandle readyFd):
		_gate(std::move(gate))
	{
		reset(platform::duplicateSocket(readyFd));
	}

	/// The listening socket's address (the descriptor here is not a socket).
	Poco::Net::SocketAddress address() override
	{
		return _gate->listeningAddress();
	}

	Poco::Net::SocketImpl* acceptConnection(Poco::Net::SocketAddress& clientAddr) override
	{
		auto admitted = _gate->takeAdmitted();
		if (!admitted) throw Poco::Net::NetException("no admitted connection");
		const bool tls = admitted->ssl != nullptr;
		// Owns the connection from here, also when it throws.
		Poco::AutoPtr<GatedStreamSocketImpl> socket(tls ?
			static_cast<GatedStreamSocketImpl*>(new TlsStreamSocketImpl(std::move(*admitted), _gate)) :
			new GatedStreamSocketImpl(std::move(*admitted), _gate));
		clientAddr = socket->peerAddress();
		socket->duplicate();
		return socket.get();
	}

private:
	std::shared_ptr<HttpGate> _gate;
};

} // namespace

GateServerSocket::GateServerSocket(std::shared_ptr<HttpGate> gate, platform::SocketHandle readyFd):
	ServerSocket(new GateServerSocketImpl(std::move(gate), readyFd), true)
{
}

GatedStreamSocketImpl::GatedStreamSocketImpl(HttpGate::Admitted&& admitted, std::shared_ptr<HttpGate> gate):
	StreamSocketImpl(admitted.fd),
	_gate(std::move(gate)),
	_head(std::move(admitted.head)),
	_bodyLeft(admitted.bodyBytes),
	_requests(admitted.requests),
	_lastRequest(admitted.lastRequest),
	_client(std::move(admitted.client))
{
}

Poco::Net::SocketAddress GatedStreamSocketImpl::peerAddress()
{
	// No port: the proxy does not say which the client used.
	if (_client) return Poco::Net::SocketAddress(*_client, 0);
	return StreamSocketImpl::peerAddress();
}

GatedStreamSocketImpl::~GatedStreamSocketImpl()
{
	// The base's destructor would close without lingering.
	try
	{
		close();
	}
	catch (...)
	{
	}
}

void GatedStreamSocketImpl::close()
{
	if (sockfd() != POCO_INVALID_SOCKET && _bodyLeft > 0)
	{
		const platform::SocketHandle fd = sockfd();
		reset(POCO_INVALID_SOCKET);
		_gate->linger(fd, releaseSession(), _bodyLeft);
		return;
	}
	StreamSocketImpl::close();
}

int GatedStreamSocketImpl::receiveBytes(void* buffer, int length, int flags)
{
	if (length <= 0) return 0;
	if (_headRead < _head.size())
	{
		const std::size_t n = std::min(_head.size() - _headRead, static_cast<std::size_t>(length));
		std::memcpy(buffer, _head.data() + _headRead, n);
		if (!(flags & MSG_PEEK)) _headRead += n;
		return static_cast<int>(n);
	}
	// Past the body is the next request's, which the gate reads.
	if (_bodyLeft == 0) return 0;
	const int n = readConnection(buffer, static_cast<int>(std::min<std::uint64_t>(_bodyLeft, static_cast<std::uint64_t>(length))));
	if (n > 0) _bodyLeft -= static_cast<std::uint64_t>(n);
	return n;
}

int GatedStreamSocketImpl::receiveBytes(Poco::Net::SocketBufVec&, int)
{
	throw Poco::NotImplementedException("scatter reads on an HTTP connection");
}

int GatedStreamSocketImpl::receiveBytes(Poco::Buffer<char>&, int, const Poco::Timespan&)
{
	throw Poco::NotImplementedException("buffer reads on an HTTP connection");
}

int GatedStreamSocketImpl::readConnection(void* buffer, int length)
{
	return StreamSocketImpl::receiveBytes(buffer, length, 0);
}

int GatedStreamSocketImpl::connectionAvailable()
{
	return StreamSocketImpl::available();
}

int GatedStreamSocketImpl::available()
{
	const std::size_t head = _head.size() - _headRead;
	if (_bodyLeft == 0) return static_cast<int>(head);
	return static_cast<int>(head + std::min<std::uint64_t>(_bodyLeft, static_cast<std::uint64_t>(std::max(0, connectionAvailable()))));
}

bool GatedStreamSocketImpl::poll(const Poco::Timespan& timeout, int mode)
{
	if (!(mode & SELECT_READ) || sockfd() == POCO_INVALID_SOCKET) return StreamSocketImpl::poll(timeout, mode);
	if (_headRead < _head.size()) return true;
	// The request is answered and POCO asks whether another follows: the
	// gate waits for it, not this thread. A body the handler did not read
	// (a 405, say) is the gate's to skip first.
	const platform::SocketHandle fd = sockfd();
	reset(POCO_INVALID_SOCKET);
	_gate->readmit(fd, releaseSession(), _requests + 1, _bodyLeft);
	return false;
}

} // namespace webchat
